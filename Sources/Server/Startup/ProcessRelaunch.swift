#if canImport(Glibc)
import Glibc
#endif

/// Replaces the process image with a fresh start of the same binary and arguments (same PID), for
/// settings read only when a process starts. The real path is executed, not `/proc/self/exe`: the
/// kernel names a process after the file it executes, and `exe` would replace `semadjust` in `ps`,
/// `top`, `pidof` and systemd's and containers' listings.
enum ProcessRelaunch {
    /// Returns only when the exec failed (the caller carries on as loaded).
    static func exec() {
        if let path = executablePath() { execv(path, CommandLine.unsafeArgv) }
        // The binary was replaced or deleted since it started ("… (deleted)"): /proc/self/exe still
        // reaches the running image.
        execv("/proc/self/exe", CommandLine.unsafeArgv)
    }

    /// The running binary's path as the kernel resolved it (no symlinks), from `/proc/self/exe`.
    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
