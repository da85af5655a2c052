import Inference

/// How the cores are shared: `workers` inference jobs at once, each with `cores / workers` threads
/// (the engine splits its work over them and runs OpenBLAS single-threaded inside), so
/// workers × threads per job ≤ cores and nothing is oversubscribed.
public enum ThreadBudget {
    /// Sets the engine's threads per job for `workers` concurrent jobs on `cores` cores and returns it.
    @discardableResult
    public static func apply(cores: Int, workers: Int) -> Int {
        let perJob = max(1, cores / max(1, workers))
        EngineThreads.set(perJob: perJob)
        return perJob
    }
}
