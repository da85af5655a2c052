import ArgumentParser

@main
struct SemadjustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semadjust",
        abstract: "Semantics-aware photo adjustment: an HTTP service and a command-line tool.",
        subcommands: [ServeCommand.self, AdjustCommand.self, StylesCommand.self, APIKeyCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    static func main() async {
        // Before any work: a restart must not lose anything.
        StartupPolicy.relaunchIfNeeded()
        await main(nil)
    }
}
