import ArgumentParser

@main
struct SemadjustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semadjust",
        abstract: "Semantics-aware photo adjustment: an HTTP service and a command-line tool.",
        subcommands: [ServeCommand.self, AdjustCommand.self, StylesCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
