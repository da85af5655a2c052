/// Scratch for one job split over `workers` threads: a grow-only buffer per worker, so parallel
/// tiles never share one and a forward allocates its scratch once, not once per layer.
struct WorkerScratch {
    let workers: Int
    private var buffers: [ScratchBuffer]
    private var common = ScratchBuffer()

    init(workers: Int) {
        precondition(workers >= 1, "scratch for at least one worker")
        self.workers = workers
        buffers = Array(repeating: ScratchBuffer(), count: workers)
    }

    /// One buffer of at least `count` floats that all workers share (each task writing its own part),
    /// valid until the next call.
    mutating func shared(count: Int) -> SendablePointer<Float> {
        SendablePointer(pointer: common.pointer(count: count))
    }

    /// Each worker's buffer of at least `count` floats (contents unspecified), valid until the next call.
    mutating func pointers(count: Int) -> [SendablePointer<Float>] {
        (0..<workers).map { SendablePointer(pointer: buffers[$0].pointer(count: count)) }
    }
}
