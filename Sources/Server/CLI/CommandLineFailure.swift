/// A failure the command line reports in one sentence (ArgumentParser prints it as
/// "Error: …" and exits with status 1), for mistakes found only after parsing, such as an
/// unknown style or a models folder with no models.
struct CommandLineFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
