/// The horizontal taps of several pieces in stable C storage, with the pointer tables a C kernel
/// takes (one entry per piece), plus a table of source-row pointers the caller fills per row.
/// A class so the storage outlives every call that hands its pointers to C; not shared across threads.
final class PieceTapTable {
    let lower: UnsafeMutablePointer<UnsafePointer<Int32>?>
    let upper: UnsafeMutablePointer<UnsafePointer<Int32>?>
    let weight: UnsafeMutablePointer<UnsafePointer<Float>?>
    let rows: UnsafeMutablePointer<UnsafePointer<Float>?>
    private let indices: UnsafeMutablePointer<Int32>
    private let weights: UnsafeMutablePointer<Float>
    private let count: Int

    init(_ taps: [BilinearTaps], width: Int) {
        count = taps.count
        indices = .allocate(capacity: max(1, 2 * count * width))
        weights = .allocate(capacity: max(1, count * width))
        lower = .allocate(capacity: max(1, count))
        upper = .allocate(capacity: max(1, count))
        weight = .allocate(capacity: max(1, count))
        rows = .allocate(capacity: max(1, count))
        for (p, t) in taps.enumerated() {
            precondition(t.count == width)
            let lo = indices + 2 * p * width, hi = lo + width, w = weights + p * width
            for x in 0..<width { lo[x] = t.lower[x]; hi[x] = t.upper[x]; w[x] = t.weight[x] }
            lower[p] = UnsafePointer(lo)
            upper[p] = UnsafePointer(hi)
            weight[p] = UnsafePointer(w)
            rows[p] = nil
        }
    }

    deinit {
        indices.deallocate()
        weights.deallocate()
        lower.deallocate()
        upper.deallocate()
        weight.deallocate()
        rows.deallocate()
    }
}
