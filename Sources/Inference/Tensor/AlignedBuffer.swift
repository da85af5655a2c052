#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMallocShim

/// Owned, 64-byte aligned Float storage. 64 bytes is a cache line and an AVX-512 vector, so BLAS and
/// the vectorised loops never straddle a line at a row start. Tensor and Matrix wrap it copy-on-write,
/// which keeps them value types while a shared buffer is only ever read.
final class AlignedBuffer: @unchecked Sendable {
    static let hugePageBytes = 2 << 20
    static let hugePageThreshold = 4 << 20

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
            // Feature maps of several MB go on 2 MB boundaries with huge pages advised: page faults
            // on fresh 4 KB pages were a visible share of the fold (its 64 MB conv1 piece at 512x512).
            let huge = bytes >= Self.hugePageThreshold
            var fresh: UnsafeMutableRawPointer?
            guard posix_memalign(&fresh, huge ? Self.hugePageBytes : 64, bytes) == 0, let fresh else {
                fatalError("out of memory allocating \(bytes) bytes")
            }
            if huge { _ = cmalloc_advise_huge_pages(fresh, bytes & ~(Self.hugePageBytes - 1)) }
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
