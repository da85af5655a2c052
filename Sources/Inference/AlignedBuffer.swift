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
    init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "negative buffer size")
        self.count = count
        var raw: UnsafeMutableRawPointer?
        // posix_memalign refuses size 0 on some libcs; keep one element so pointer is never nil.
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("out of memory allocating \(bytes) bytes")
        }
        if zeroed { memset(raw, 0, bytes) }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    convenience init(copying other: AlignedBuffer) {
        self.init(count: other.count)
        pointer.update(from: other.pointer, count: count)
    }

    deinit { free(pointer) }
}
