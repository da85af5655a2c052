/// Scratch of one context pass (im2col columns, GRU gates, norms), one buffer per worker thread,
/// grown once and reused across calls.
public struct ContextWorkspace {
    var scratch: WorkerScratch

    /// For a pass split over `threads` workers (the job's share of the cores by default).
    public init(threads: Int = EngineThreads.perJob) {
        scratch = WorkerScratch(workers: max(1, threads))
    }

    public var threads: Int { scratch.workers }
}
