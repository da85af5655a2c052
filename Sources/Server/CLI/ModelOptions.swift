import AdjustService
import ArgumentParser

/// Where the styles come from, for the commands that load models without serving (`adjust`,
/// `styles`): the same options, defaults and environment fallbacks as `serve`, so a folder that
/// serves also works on the command line.
struct ModelOptions: ParsableArguments {
    @Option(help: "Folder of style models (*.safetensors) (env SEMADJUST_MODELS).")
    var models: String = Environment.string("SEMADJUST_MODELS") ?? "models"

    @Option(help: "The ImageNet ResNet-50 trunk weights (env SEMADJUST_TRUNK).")
    var trunk: String = Environment.string("SEMADJUST_TRUNK") ?? "../shared/weights/resnet50-imagenet-trunk.safetensors"

    /// Loads every style, telling stderr about files that were not models; fails when none loaded,
    /// since nothing can be done without one.
    func loadCatalog() throws(CommandLineFailure) -> StyleCatalog {
        let catalog = StyleCatalog(modelsDirectory: models, trunkPath: trunk)
        for (file, reason) in catalog.skipped { StandardError.write("warning: model \(file) not loaded: \(reason)\n") }
        guard !catalog.styles.isEmpty else {
            throw CommandLineFailure("no style models could be loaded from '\(models)' (trunk '\(trunk)'); pass --models DIR and --trunk PATH")
        }
        return catalog
    }
}
