#if canImport(Glibc)
import Glibc
#endif

extension BLASKernels {
    /// Set across the restart: the kernels OpenBLAS had picked, for the start-up log.
    static let fallbackVariable = "SEMADJUST_BLAS_FALLBACK"

    /// Restarts the process with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to its generic
    /// kernels on a CPU it does not know: the variable is read only when the library loads, and the
    /// fallback makes every gemm several times slower. Call it first thing in `main`, before any
    /// work a restart would lose. Returns only when no restart is needed or `execv` failed (then the
    /// process runs on as loaded).
    public static func relaunchIfFallback() {
        // Set already: an operator's choice, or this restart's.
        guard getenv("OPENBLAS_CORETYPE") == nil,
              let coreType = betterCoreType(than: coreName, features: cpuFeatures)
        else { return }
        setenv(fallbackVariable, coreName, 1)
        setenv("OPENBLAS_CORETYPE", coreType, 1)
        ProcessRelaunch.exec()
        // Not restarted (no /proc?): carry on as loaded, and say nothing was changed.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(fallbackVariable)
    }

    /// What a start-up log says of the kernels in use, and of a restart that chose them.
    public static var summary: String {
        let inUse = coreName
        guard let fallback = getenv(fallbackVariable).map({ String(cString: $0) }) else {
            return "OpenBLAS kernels \(inUse)"
        }
        return "OpenBLAS kernels \(inUse) (OpenBLAS picked \(fallback) for this CPU; restarted with OPENBLAS_CORETYPE=\(inUse))"
    }
}
