import Inference

/// How the cores are shared: `workers` inference jobs at once, each with `cores / workers` BLAS
/// threads, so workers × BLAS threads ≤ cores and nothing is oversubscribed.
public enum ThreadBudget {
    /// Sets OpenBLAS's process-wide thread count for `workers` concurrent jobs on `cores` cores
    /// and returns it.
    @discardableResult
    public static func apply(cores: Int, workers: Int) -> Int {
        let perJob = max(1, cores / max(1, workers))
        BLASThreads.set(perJob)
        return perJob
    }
}
