#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owned, 64-byte aligned Float storage. 64 bytes is a cache line and an AVX-512 vector, so BLAS and
/// the vectorised loops never straddle a line at a row start. Tensor and Matrix wrap it copy-on-write,
/// which keeps them value types while a shared buffer is only ever read.
final class AlignedBuffer: @unchecked Sendable {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    /// Zero-filled unless `zeroed` is false: padding logic (im2col borders, accumulating gemms)
    /// relies on zeros; outputs that a kernel overwrites whole skip the memset.
    /// Large buffers come from and go back to `BufferRecycler.shared` when it has one of their size.
    init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "negative buffer size")
        self.count = count
        // posix_memalign refuses size 0 on some libcs; keep one element so pointer is never nil.
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw: UnsafeMutableRawPointer
        if let recycled = BufferRecycler.shared.take(bytes: bytes) {
            raw = recycled
        } else {
            var fresh: UnsafeMutableRawPointer?
            guard posix_memalign(&fresh, 64, bytes) == 0, let fresh else {
                fatalError("out of memory allocating \(bytes) bytes")
            }
            raw = fresh
        }
        if zeroed { memset(raw, 0, bytes) }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// A copy; the copy overwrites every element, so it skips the zero fill.
    convenience init(copying other: AlignedBuffer) {
        self.init(count: other.count, zeroed: false)
        pointer.update(from: other.pointer, count: count)
    }

    deinit {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if !BufferRecycler.shared.give(UnsafeMutableRawPointer(pointer), bytes: bytes) { free(pointer) }
    }
}
