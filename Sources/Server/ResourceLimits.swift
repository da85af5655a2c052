#if canImport(Glibc)
import Glibc
#endif

/// Process limits the service raises at start.
enum ResourceLimits {
    /// Raises the soft open-file limit to the hard limit: the default soft limit (often 1024)
    /// would cap connections below `--max-connections` and make accept fail with EMFILE.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
