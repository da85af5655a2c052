import Foundation
import Inference

/// The styles the service offers at one moment: every `*.safetensors` head in the models folder,
/// each paired with the shared ImageNet trunk, or with the fine-tuned trunk its file embeds. A
/// value: a request holds the catalogue it started with while `LiveStyleCatalog` swaps in new ones.
public struct StyleCatalog: Sendable {
    public struct Style: Sendable {
        public let id: String
        public let pipeline: AdjustPipeline
        public var presetNames: [String] { pipeline.presetNames }
        public var presetCount: Int { pipeline.model.description.presetCount }

        public init(id: String, pipeline: AdjustPipeline) {
            self.id = id
            self.pipeline = pipeline
        }
    }

    public let styles: [Style]
    /// Files that looked like models but could not be loaded, with the reason (logged at start).
    public let skipped: [(file: String, reason: String)]
    /// Shared trunk files loaded (styles that embed a trunk do not count): 1 for the shipped models.
    public let trunkCount: Int

    public init(styles: [Style], skipped: [(file: String, reason: String)] = [], trunkCount: Int = 0) {
        self.styles = styles.sorted { $0.id < $1.id }
        self.skipped = skipped
        self.trunkCount = trunkCount
    }

    /// Loads every head in `modelsDirectory`, sorted by style id. Each head is paired with the trunk
    /// file its metadata names, in the same folder (the shipped `resnet50-imagenet-trunk.safetensors`
    /// beside the styles), unless `trunkPath` overrides it for every head; a head that embeds its own
    /// trunk uses that. Trunk files in the folder are not styles and are passed over silently.
    public init(modelsDirectory: String, trunkPath: String? = nil, threadsPerJob: Int, limits: PhotoSizeLimits = .standard) {
        self.init(folder: ModelFolder(path: modelsDirectory, trunkOverride: trunkPath, threadsPerJob: threadsPerJob, limits: limits))
    }

    /// Every style of `folder`'s files, loaded once (the live catalogue's first look: a second file
    /// for a style already loaded is skipped, as is a file that does not load).
    public init(folder: ModelFolder) {
        self = LiveStyleCatalog(folder: folder).current
    }

    public func style(_ id: String) -> Style? { styles.first { $0.id == id } }

    /// The style ids, in order. Built with a closure on purpose: on Swift 6.3.1 (debug builds)
    /// `styles.map(\.id)` returned garbage strings from another module's key path projection of
    /// this struct, reproducibly, while direct property access was right.
    public var ids: [String] { styles.map { $0.id } }

    /// `popout` when offered (the paper's first style), else the first by name.
    public var defaultStyle: Style? { style("popout") ?? styles.first }
}
