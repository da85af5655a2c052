#if canImport(Glibc)
import Glibc
#endif

/// The command line's diagnostics channel: progress, per-file results and warnings go to stderr so
/// that stdout stays clean for what a script might parse (`semadjust styles`).
enum StandardError {
    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Whether a person is watching: a progress bar redrawn in place only makes sense on a terminal.
    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
