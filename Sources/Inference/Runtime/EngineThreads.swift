import Locks

/// How many threads one inference job may use. The engine splits its own work (convolution tiles,
/// GRU directions, context pieces, colour-pass bands) over that many Dispatch workers and runs every
/// sgemm single-threaded inside them. OpenBLAS's own pool is therefore kept at one thread: left at
/// two, its worker spun in `sched_yield` through every non-gemm loop of the context pass (30 % of all
/// cycles in a perf profile of the 512x512 pass), and everything between gemms ran on one core.
/// The service passes its threads per job explicitly (AdjustPipeline.threadsPerJob, ThreadBudget:
/// workers × threads ≤ cores); this process-wide value is only the default of the whole-tensor entry
/// points (tests, benchmarks, tools) and of `mapLabels(height:width:)`, and setting it keeps
/// OpenBLAS's pool (process-wide itself) at one thread.
public enum EngineThreads {
    private static let state = LockedValue<Int?>(nil)

    /// The threads per job; the machine's cores until `set(perJob:)` is called.
    public static var perJob: Int {
        state.withLock { current in
            if let current { return current }
            let cores = max(1, sysconfCores())
            BLASThreads.set(1)
            current = cores
            return cores
        }
    }

    /// Sets the threads per job and puts OpenBLAS's pool at one thread.
    public static func set(perJob n: Int) {
        precondition(n >= 1, "a job needs at least one thread")
        state.withLock { current in
            BLASThreads.set(1)
            current = n
        }
    }
}
