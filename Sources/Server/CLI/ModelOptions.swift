import AdjustService
import ArgumentParser

/// Where the styles come from, for every command that loads models (`serve`, `adjust`, `styles`):
/// the same options, defaults and environment fallbacks, so a folder that serves also works on the
/// command line.
struct ModelOptions: ParsableArguments {
    @Option(help: "Folder of style models (*.safetensors) and the trunk they share (env SEMADJUST_MODELS); default: ./models, else the models folder of the tree the binary lives in.")
    var models: String = Environment.string("SEMADJUST_MODELS") ?? DefaultModelsFolder.resolve()

    @Option(help: "Trunk weights for every style that does not embed its own, instead of the trunk file each model names in its folder (env SEMADJUST_TRUNK).")
    var trunk: String?

    /// `--trunk`, else SEMADJUST_TRUNK, else nil: each head's own trunk file.
    var trunkOverride: String? { trunk ?? Environment.string("SEMADJUST_TRUNK") }

    /// The models folder with these options, for a catalogue that is loaded again as it changes.
    func folder(threadsPerJob: Int, limits: PhotoSizeLimits = .standard) -> ModelFolder {
        ModelFolder(path: models, trunkOverride: trunkOverride, threadsPerJob: threadsPerJob, limits: limits)
    }

    /// Every style that loads, each request's work on `threadsPerJob` threads; the files that did
    /// not, with the reason, in `skipped`.
    func catalog(threadsPerJob: Int, limits: PhotoSizeLimits = .standard) -> StyleCatalog {
        StyleCatalog(modelsDirectory: models, trunkPath: trunkOverride, threadsPerJob: threadsPerJob, limits: limits)
    }

    /// What the log says the styles were loaded from.
    var source: String {
        models + (trunkOverride.map { " with the trunk \($0)" } ?? "")
    }

    /// Loads every style, telling stderr about files that were not models; fails when none loaded,
    /// since nothing can be done without one.
    func loadCatalog(threadsPerJob: Int) throws(CommandLineFailure) -> StyleCatalog {
        let catalog = catalog(threadsPerJob: threadsPerJob)
        for (file, reason) in catalog.skipped { StandardError.write("warning: model \(file) not loaded: \(reason)\n") }
        guard !catalog.styles.isEmpty else {
            throw CommandLineFailure("no style models could be loaded from \(source); pass --models DIR (and --trunk PATH for models whose trunk is elsewhere)")
        }
        return catalog
    }
}
