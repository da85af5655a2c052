import Foundation
import HTTPCore
import Logging
import Locks

/// One JSON object per line on standard error, for containers whose log collectors parse
/// structured lines: `{"ts":…,"level":…,"label":…,"msg":…,<metadata>…}`.
struct JSONLogHandler: LogHandler {
    /// Lines from concurrent threads must not interleave.
    private static let output = LockedValue<Void>(())

    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var json = JSONWriter()
        json.beginObject()
        json.member("ts", Self.timestamp())
        json.member("level", event.level.rawValue)
        json.member("label", label)
        json.member("msg", "\(event.message)")
        for key in merged.keys.sorted() where !["ts", "level", "label", "msg"].contains(key) {
            json.member(key, "\(merged[key]!)")
        }
        json.endObject()
        let line = json.bytes + [0x0A]
        Self.output.withLock { _ in
            // write(2) straight to the descriptor: no stdio buffer to share between threads.
            line.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                    if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
                }
            }
        }
    }

    private static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(spec.tv_nsec / 1_000_000))
    }
}
