import CBLAS

/// OpenBLAS's own pthread pool, separate from Dispatch. The engine keeps it at one thread
/// (EngineThreads) and parallelises above the gemms; this knob stays public for the benchmark,
/// which measures OpenBLAS's multi-threaded sgemm peak as the FLOP limit's denominator.
/// OpenBLAS's count is process-wide, hence a static.
public enum BLASThreads {
    public static var count: Int { Int(cblas_shim_get_threads()) }

    public static func set(_ n: Int) {
        precondition(n >= 1, "BLAS needs at least one thread")
        cblas_shim_set_threads(Int32(n))
    }
}
