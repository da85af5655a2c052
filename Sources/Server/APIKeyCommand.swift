import ArgumentParser

/// `semadjust api-key NAME`: a new key for a client, and the line that lists it in the key file.
struct APIKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key",
        abstract: "Make a new API key: prints the key (give it to the client; it is not stored) and the line for the --api-keys file (its SHA-256 only)."
    )

    @Argument(help: "The key's name: letters, digits, '-', '_' and '.'; it names the client in logs and owns its photos.")
    var name: String

    @Option(help: "Requests a minute this key may make (written to the line; absent: the server's --api-key-rate).")
    var rate: Int?

    @Option(help: "Requests this key may make at once (absent: the server's --api-key-burst).")
    var burst: Int?

    func validate() throws {
        let probe = "\(name) sha256:\(String(repeating: "0", count: 64))"
        do {
            _ = try APIKeyFile.parse(probe, defaults: .init(rate: RateLimit(perMinute: 1, burst: 1)))
        } catch {
            throw ValidationError(error.reason)
        }
        if let rate, rate <= 0 { throw ValidationError("rate must be > 0") }
        if let burst, burst <= 0 { throw ValidationError("burst must be > 0") }
    }

    func run() {
        let secret = APIKey.newSecret()
        var line = APIKeyFile.line(name: name, secret: secret)
        if let rate { line += " rate=\(rate)/min" }
        if let burst { line += " burst=\(burst)" }
        print("key:  \(secret)")
        print("line: \(line)")
    }
}
