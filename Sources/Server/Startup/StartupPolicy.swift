import AdjustService
#if canImport(Glibc)
import Glibc
#endif

/// Everything the process settles before it does any work, in one place. Two settings are read only
/// when a process starts — glibc's malloc tunables and OpenBLAS's kernel choice — so a process that
/// needs either restarts itself once (same PID, same arguments) with both in its environment; the
/// libraries themselves never re-exec. Then the limits and allocator settings of a running server.
enum StartupPolicy {
    /// Set across the restart: the kernels OpenBLAS had picked, for the start-up log.
    static let blasFallbackVariable = "SEMADJUST_BLAS_FALLBACK"

    /// Call first thing in `main`, before any work a restart would lose. Returns when no restart is
    /// needed, or when `execv` failed (then the process runs on as loaded, its environment as it was).
    static func relaunchIfNeeded() {
        var changes: [(name: String, value: String)] = []
        let tunables = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
        if ResourceLimits.wantsHugePageMalloc(tunables: tunables) {
            let hugePages = ResourceLimits.hugePageTunable
            changes.append(("GLIBC_TUNABLES", tunables.isEmpty ? hugePages : tunables + ":" + hugePages))
        }
        // OpenBLAS fell back to its generic kernels on a CPU it does not know (Inference's BLASKernels).
        if let coreType = EngineStartup.blasCoreTypeOverride {
            changes += [("OPENBLAS_CORETYPE", coreType), (blasFallbackVariable, EngineStartup.blasCoreName)]
        }
        guard !changes.isEmpty else { return }
        let before = changes.map { ($0.name, getenv($0.name).map { String(cString: $0) }) }
        for change in changes { setenv(change.name, change.value, 1) }
        ProcessRelaunch.exec()
        for (name, value) in before {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
    }

    /// The kernels in use, and the restart that chose them, for the start-up log.
    static var blasSummary: String {
        EngineStartup.blasSummary(pickedAtLoad: getenv(blasFallbackVariable).map { String(cString: $0) })
    }

    /// The serving process's limits: open files up to the hard limit, large buffers mapped apart.
    static func prepareToServe() {
        ResourceLimits.raiseOpenFileLimit()
        ResourceLimits.returnLargeBuffersToTheSystem()
    }
}
