/// A grow-only aligned buffer reused across layers and calls (im2col columns, gemm temporaries),
/// so a forward allocates its scratch once per worker, not once per layer.
struct ScratchBuffer {
    private var storage = AlignedBuffer(count: 0)

    init() {}

    /// At least `count` floats; contents are unspecified. Valid until the next call.
    mutating func pointer(count: Int) -> UnsafeMutablePointer<Float> {
        if storage.count < count { storage = AlignedBuffer(count: count) }
        return storage.pointer
    }
}
