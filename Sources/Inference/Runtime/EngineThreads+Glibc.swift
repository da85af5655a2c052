#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EngineThreads {
    /// Online processors (sched_getaffinity-aware on glibc's sysconf), as ProcessInfo counts them.
    static func sysconfCores() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
