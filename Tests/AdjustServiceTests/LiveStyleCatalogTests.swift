@testable import AdjustService
import Foundation
import Inference
import Testing

/// The models folder changing under a running service: files added, rewritten, broken and removed,
/// with the reloads that follow (no sockets; the server calls `reload` on SIGHUP and on a timer).
struct LiveStyleCatalogTests {
    static let fixtures = AdjustPipelineTests.fixtures

    /// A fresh folder holding the tiny test model as `tiny.safetensors` (and its trunk).
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("live-styles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("tiny-model.safetensors"),
                                         to: folder.appendingPathComponent("tiny.safetensors"))
        return folder
    }

    static func catalog(_ folder: URL) -> LiveStyleCatalog {
        LiveStyleCatalog(folder: ModelFolder(path: folder.path, trunkOverride: fixtures.appendingPathComponent("tiny-trunk.safetensors").path,
                                             threadsPerJob: 1))
    }

    /// The tiny model's bytes with its style id and preset names replaced by ones of the same length
    /// (the safetensors header keeps its size, so the file stays valid).
    static func model(style: String, presets: (String, String) = ("p0", "p1")) throws -> Data {
        precondition(style.utf8.count == 4 && presets.0.utf8.count == 2 && presets.1.utf8.count == 2)
        // The header is ASCII JSON; the tensor bytes after it are not text: replace in the bytes.
        var bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("tiny-model.safetensors")))
        func replace(_ old: String, _ new: String) {
            let o = Array(old.utf8), n = Array(new.utf8)
            let headerEnd = 8 + Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            guard let at = (8..<(headerEnd - o.count)).first(where: { Array(bytes[$0..<$0 + o.count]) == o }) else {
                Issue.record("'\(old)' not in the fixture's header"); return
            }
            bytes.replaceSubrange(at..<at + o.count, with: n)
        }
        replace(#""style":"tiny""#, #""style":"\#(style)""#)
        replace(#"[\"p0\", \"p1\"]"#, #"[\"\#(presets.0)\", \"\#(presets.1)\"]"#)
        return Data(bytes)
    }

    /// Writes a file the way an operator should: elsewhere, then renamed into place.
    static func install(_ data: Data, as name: String, in folder: URL) throws {
        let temporary = folder.appendingPathComponent(".\(name).partial")
        try data.write(to: temporary)
        #expect(rename(temporary.path, folder.appendingPathComponent(name).path) == 0)
    }

    @Test func aNewFileIsServedAfterItStopsChanging() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let styles = Self.catalog(folder)
        #expect(styles.current.ids == ["tiny"])
        try Self.install(Self.model(style: "mine"), as: "mine.safetensors", in: folder)
        let first = styles.reload()
        #expect(first.waiting == ["mine.safetensors"] && !first.changesStyles, "a file seen changing for the first time is not read yet")
        #expect(styles.current.ids == ["tiny"])
        let second = styles.reload()
        #expect(second.added == ["mine"])
        #expect(styles.current.ids == ["mine", "tiny"])
        #expect(styles.reload() == LiveStyleCatalog.ReloadReport(), "nothing changed: nothing to do")
    }

    @Test func aChangedFileReplacesItsStyleAndARequestKeepsTheOldOne() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let styles = Self.catalog(folder)
        let before = styles.current  // what a request in flight holds
        let oldRevision = try #require(before.style("tiny")).pipeline.revision
        try Self.install(Self.model(style: "tiny", presets: ("sk", "gr")), as: "tiny.safetensors", in: folder)
        let report = styles.reload(waitForQuiet: false)  // SIGHUP
        #expect(report.replaced == ["tiny"])
        let after = try #require(styles.current.style("tiny"))
        #expect(after.presetNames == ["sk", "gr"])
        #expect(after.pipeline.revision != oldRevision, "photos analysed by the old file are not re-rendered by the new one")
        #expect(try #require(before.style("tiny")).presetNames == ["p0", "p1"], "the request's catalogue is unchanged")
        // The old model still runs for the request that holds it.
        let result = try #require(before.style("tiny")).pipeline.adjust(imageBytes: AdjustPipelineTests.photo())
        #expect(result.analysis.modelRevision == oldRevision)
    }

    @Test func aBrokenFileKeepsTheStyleItWouldReplace() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let styles = Self.catalog(folder)
        let revision = try #require(styles.current.style("tiny")).pipeline.revision
        try Self.install(Data("not a model".utf8), as: "tiny.safetensors", in: folder)
        let report = styles.reload(waitForQuiet: false)
        #expect(report.failed.map(\.file) == ["tiny.safetensors"])
        #expect(try #require(styles.current.style("tiny")).pipeline.revision == revision, "the old model stays in force")
        #expect(styles.current.skipped.map(\.file) == ["tiny.safetensors"])
        #expect(styles.reload(waitForQuiet: false).failed.isEmpty, "the same broken file is reported once, not at every look")
        try Self.install(Self.model(style: "tiny"), as: "tiny.safetensors", in: folder)
        #expect(styles.reload(waitForQuiet: false).replaced == ["tiny"])
        #expect(styles.current.skipped.isEmpty)
    }

    @Test func aRemovedFileTakesItsStyleAway() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.install(Self.model(style: "mine"), as: "mine.safetensors", in: folder)
        let styles = Self.catalog(folder)
        #expect(styles.current.ids == ["mine", "tiny"])
        try FileManager.default.removeItem(at: folder.appendingPathComponent("tiny.safetensors"))
        #expect(styles.reload().removed == ["tiny"], "a removal needs no quiet period")
        #expect(styles.current.ids == ["mine"])
        try FileManager.default.removeItem(at: folder.appendingPathComponent("mine.safetensors"))
        _ = styles.reload()
        #expect(styles.current.styles.isEmpty)
    }

    @Test func aSecondFileForALoadedStyleIsRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let styles = Self.catalog(folder)
        try Self.install(Self.model(style: "tiny", presets: ("aa", "bb")), as: "copy.safetensors", in: folder)
        let report = styles.reload(waitForQuiet: false)
        #expect(report.failed.map(\.file) == ["copy.safetensors"])
        #expect(report.failed.first?.reason.contains("second model for style 'tiny'") == true)
        #expect(try #require(styles.current.style("tiny")).presetNames == ["p0", "p1"])
    }

    @Test func aFixedCatalogueNeverChanges() throws {
        let styles = LiveStyleCatalog(fixed: StyleCatalog(styles: []))
        #expect(styles.reload(waitForQuiet: false) == LiveStyleCatalog.ReloadReport())
    }
}
