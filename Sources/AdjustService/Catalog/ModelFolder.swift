import Foundation
public import Inference

/// A folder of style models and what loading them shares: the trunk (loaded once for every head that
/// names the same file) and the workers' context scratch. `StyleCatalog` loads a folder once;
/// `LiveStyleCatalog` loads it again file by file when files change.
public final class ModelFolder: Sendable {
    public let path: String
    /// Trunk weights for every head that does not embed its own, instead of the file each head names.
    public let trunkOverride: String?
    public let threadsPerJob: Int
    public let limits: PhotoSizeLimits
    let trunks = TrunkCache()
    let workspaces = ContextWorkspacePool()

    public init(path: String, trunkOverride: String? = nil, threadsPerJob: Int, limits: PhotoSizeLimits = .standard) {
        self.path = path
        self.trunkOverride = trunkOverride
        self.threadsPerJob = threadsPerJob
        self.limits = limits
    }

    /// The `*.safetensors` file names in the folder, sorted (an unreadable folder has none).
    func modelFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".safetensors") }.sorted()
    }

    func fullPath(_ file: String) -> String { (path as NSString).appendingPathComponent(file) }

    /// The style in `file`, nil for a trunk file (not a style). The head is read into memory rather
    /// than mapped: a file rewritten in place later (`cp` over it) cannot change or fault a style in
    /// use. `revision` tells this load of the style from any other (AnalysedPhoto keeps it).
    func loadStyle(file: String, revision: UInt64) throws(ModelError) -> StyleCatalog.Style? {
        guard let data = FileManager.default.contents(atPath: fullPath(file)) else {
            throw .head(.cannotOpen(path: fullPath(file), errno: errno))
        }
        let head: SafetensorsFile
        do { head = try SafetensorsFile(bytes: [UInt8](data)) } catch { throw .head(error) }
        if TrunkFileFormat.matches(head) { return nil }
        let named = try ModelDescription(metadata: head.metadata).trunkFile
        let trunk = trunkOverride ?? named.map(fullPath)
        let model = try SAAdjustModel(head: head, trunkPath: trunk, trunks: trunks)
        let pipeline = AdjustPipeline(model: model, threadsPerJob: threadsPerJob, decodeLimits: limits.decodeLimits,
                                      workspaces: workspaces, revision: revision)
        return StyleCatalog.Style(id: model.description.style, pipeline: pipeline)
    }

    /// Shared trunk files loaded so far.
    var trunkCount: Int { trunks.count }
}
