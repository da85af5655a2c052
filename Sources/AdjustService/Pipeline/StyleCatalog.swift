import Foundation
import Inference

/// The styles the service offers: every `*.safetensors` head in the models folder, each paired
/// with the shared ImageNet trunk, or with the fine-tuned trunk its file embeds. Dropping a new model
/// file into the folder adds a style.
public struct StyleCatalog: Sendable {
    public struct Style: Sendable {
        public let id: String
        public let pipeline: AdjustPipeline
        public var presetNames: [String] { pipeline.presetNames }
        public var presetCount: Int { pipeline.model.description.presetCount }
    }

    public let styles: [Style]
    /// Files that looked like models but could not be loaded, with the reason (logged at start).
    public let skipped: [(file: String, reason: String)]
    /// Shared trunk files loaded (styles that embed a trunk do not count): 1 for the shipped models.
    public let trunkCount: Int

    public init(styles: [Style]) {
        self.styles = styles
        self.skipped = []
        self.trunkCount = 0
    }

    /// Loads every head in `modelsDirectory`, sorted by style id. Each head is paired with the trunk
    /// file its metadata names, in the same folder (the shipped `resnet50-imagenet-trunk.safetensors`
    /// beside the styles), unless `trunkPath` overrides it for every head; a head that embeds its own
    /// trunk uses that. Trunk files in the folder are not styles and are passed over silently.
    public init(modelsDirectory: String, trunkPath: String? = nil, threadsPerJob: Int, limits: PhotoSizeLimits = .standard) {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory)) ?? [])
            .filter { $0.hasSuffix(".safetensors") }
            .sorted()
        var styles: [Style] = []
        var skipped: [(String, String)] = []
        let trunks = TrunkCache()  // the shared trunk once for every style, not once per style
        let workspaces = ContextWorkspacePool()  // and one set of worker scratch for all of them
        for file in files {
            let path = (modelsDirectory as NSString).appendingPathComponent(file)
            do throws(ModelError) {
                let head: SafetensorsFile
                do { head = try SafetensorsFile(path: path) } catch { throw .head(error) }
                if TrunkFileFormat.matches(head) { continue }
                let named = try ModelDescription(metadata: head.metadata).trunkFile
                let trunk = trunkPath ?? named.map { (modelsDirectory as NSString).appendingPathComponent($0) }
                let model = try SAAdjustModel(head: head, trunkPath: trunk, trunks: trunks)
                let id = model.description.style
                if styles.contains(where: { $0.id == id }) {
                    skipped.append((file, "a second model for style '\(id)'"))
                    continue
                }
                styles.append(Style(id: id, pipeline: AdjustPipeline(model: model, threadsPerJob: threadsPerJob, decodeLimits: limits.decodeLimits,
                                                                            workspaces: workspaces)))
            } catch {
                skipped.append((file, "\(error)"))
            }
        }
        self.styles = styles.sorted { $0.id < $1.id }
        self.skipped = skipped
        self.trunkCount = trunks.count
    }

    public func style(_ id: String) -> Style? { styles.first { $0.id == id } }

    /// The style ids, in order. Built with a closure on purpose: on Swift 6.3.1 (debug builds)
    /// `styles.map(\.id)` returned garbage strings from another module's key path projection of
    /// this struct, reproducibly, while direct property access was right.
    public var ids: [String] { styles.map { $0.id } }

    /// `popout` when offered (the paper's first style), else the first by name.
    public var defaultStyle: Style? { style("popout") ?? styles.first }
}
