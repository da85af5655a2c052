import Inference
import Locks

/// The styles of a models folder, kept in step with its files while the service runs: a new file
/// adds its style, a changed one replaces it, a removed one takes it away, each when `reload` runs
/// (the server calls it on SIGHUP and every few seconds). A file that does not load is reported and
/// the style it would replace stays in force. Requests read `current`, a `StyleCatalog` value, once:
/// they finish on the models they started with however the folder changes meanwhile.
public final class LiveStyleCatalog: Sendable {
    public struct Failure: Sendable, Equatable {
        public let file: String
        public let reason: String
    }

    /// What one `reload` changed, by style id (files for failures and waits).
    public struct ReloadReport: Sendable, Equatable {
        public var added: [String] = []
        public var replaced: [String] = []
        public var removed: [String] = []
        public var failed: [Failure] = []
        /// Files that changed since the previous look: loaded by a later reload once they stop changing.
        public var waiting: [String] = []

        public var changesStyles: Bool { !added.isEmpty || !replaced.isEmpty || !removed.isEmpty }
    }

    private struct Loaded {
        let signature: ModelFileSignature
        /// nil for a trunk file: a model file, but not a style.
        let style: StyleCatalog.Style?
    }

    private struct Files {
        var loaded: [String: Loaded] = [:]
        /// The signature a changed file had at the previous look (the quiet rule).
        var seen: [String: ModelFileSignature] = [:]
        /// Files whose present contents failed to load: not retried until they change.
        var failed: [String: (signature: ModelFileSignature, reason: String)] = [:]
        var nextRevision: UInt64 = 1
    }

    /// nil for a fixed catalogue (`init(fixed:)`): `reload` then changes nothing.
    public let folder: ModelFolder?
    private let snapshot: LockedValue<StyleCatalog>
    /// Held for the whole of a reload, so that two (a signal and the poll) never interleave; requests
    /// never take it.
    private let files: LockedValue<Files>

    /// Styles that never change (tests, a catalogue built in code).
    public init(fixed catalog: StyleCatalog) {
        folder = nil
        snapshot = LockedValue(catalog)
        files = LockedValue(Files())
    }

    /// Loads every model in `folder` now.
    public init(folder: ModelFolder) {
        self.folder = folder
        snapshot = LockedValue(StyleCatalog(styles: []))
        files = LockedValue(Files())
        _ = reload(waitForQuiet: false)
    }

    /// The styles now. Read once per request.
    public var current: StyleCatalog { snapshot.withLock { $0 } }

    /// Looks at the folder again and loads what changed. `waitForQuiet`: a file that changed since
    /// the previous look is loaded only when a look finds it unchanged (the poll: a file still being
    /// copied in is not read half-written); false loads at once (SIGHUP: the operator says it is done).
    public func reload(waitForQuiet: Bool = true) -> ReloadReport {
        guard let folder else { return ReloadReport() }
        return files.withLock { f in
            var report = ReloadReport()
            let names = folder.modelFiles()
            var present: Set<String> = []
            for file in names {
                guard let signature = ModelFileSignature(path: folder.fullPath(file)) else { continue }
                present.insert(file)
                if f.loaded[file]?.signature == signature || f.failed[file]?.signature == signature { continue }
                if waitForQuiet && f.seen[file] != signature {
                    f.seen[file] = signature
                    report.waiting.append(file)
                    continue
                }
                f.seen[file] = nil
                let revision = f.nextRevision
                f.nextRevision += 1
                let style: StyleCatalog.Style?
                do throws(ModelError) {
                    style = try folder.loadStyle(file: file, revision: revision)
                } catch {
                    f.failed[file] = (signature, "\(error)")
                    report.failed.append(Failure(file: file, reason: "\(error)"))
                    continue
                }
                if let style, let other = f.loaded.first(where: { $0.key != file && $0.value.style?.id == style.id }) {
                    let reason = "a second model for style '\(style.id)' (loaded from \(other.key))"
                    f.failed[file] = (signature, reason)
                    report.failed.append(Failure(file: file, reason: reason))
                    continue
                }
                let old = f.loaded[file]?.style
                f.loaded[file] = Loaded(signature: signature, style: style)
                f.failed[file] = nil
                switch (old, style) {
                case (nil, let new?): report.added.append(new.id)
                case (let old?, let new?) where old.id == new.id: report.replaced.append(new.id)
                case (let old?, let new?): report.removed.append(old.id); report.added.append(new.id)
                case (let old?, nil): report.removed.append(old.id)
                case (nil, nil): break
                }
            }
            for file in f.loaded.keys where !present.contains(file) {
                if let style = f.loaded.removeValue(forKey: file)?.style { report.removed.append(style.id) }
            }
            f.seen = f.seen.filter { present.contains($0.key) }
            let failuresBefore = f.failed.count
            f.failed = f.failed.filter { present.contains($0.key) }
            if report.changesStyles || !report.failed.isEmpty || f.failed.count != failuresBefore {
                let catalog = StyleCatalog(styles: f.loaded.values.compactMap(\.style),
                                           skipped: f.failed.sorted { $0.key < $1.key }.map { ($0.key, $0.value.reason) },
                                           trunkCount: folder.trunkCount)
                snapshot.withLock { $0 = catalog }
            }
            return report
        }
    }
}
