import CBLAS

/// OpenBLAS runs its own pthread pool, separate from Dispatch. Two pools that each assume they own
/// every core oversubscribe the machine under concurrent requests (each gemm then waits on threads
/// descheduled by the other request). The service therefore sizes it once at start-up so that
/// `inference workers × BLAS threads ≤ cores`: one worker with all cores for latency, or one BLAS
/// thread per worker for throughput. OpenBLAS's count is process-wide, hence a static.
public enum BLASThreads {
    public static var count: Int { Int(cblas_shim_get_threads()) }

    public static func set(_ n: Int) {
        precondition(n >= 1, "BLAS needs at least one thread")
        cblas_shim_set_threads(Int32(n))
    }
}
