import AdjustService
import ArgumentParser
import Foundation

/// `semadjust styles`: the styles a models folder offers, as `GET /v1/styles` would list them.
struct StylesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "styles",
        abstract: "List the styles in the models folder: id, K and preset names (the default is marked *)."
    )

    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        let catalog = try modelOptions.loadCatalog(threadsPerJob: 1)  // nothing is run
        let defaultID = catalog.defaultStyle?.id
        let width = catalog.ids.map(\.count).max() ?? 0
        for style in catalog.styles {
            let marker = style.id == defaultID ? "*" : " "
            let padded = style.id.padding(toLength: width, withPad: " ", startingAt: 0)
            print("\(marker) \(padded)  K=\(style.presetCount)  presets: \(style.presetNames.joined(separator: ", "))")
        }
    }
}
