/// A dense row-major fp32 matrix (weights, folded projections), 64-byte aligned, copy-on-write.
/// Kept apart from Tensor because weights have no spatial layout and gemm wants (rows, cols, ld).
public struct Matrix: Sendable {
    public let rows: Int
    public let cols: Int
    private var storage: AlignedBuffer

    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "negative matrix dimension")
        self.rows = rows
        self.cols = cols
        storage = AlignedBuffer(count: rows * cols)
    }

    /// Contents unspecified: for results every element of which a kernel writes.
    init(uninitializedRows rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "negative matrix dimension")
        self.rows = rows
        self.cols = cols
        storage = AlignedBuffer(count: rows * cols, zeroed: false)
    }

    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "\(values.count) values for \(rows)x\(cols)")
        self.init(rows: rows, cols: cols)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    public var count: Int { rows * cols }

    public subscript(r: Int, c: Int) -> Float {
        get { storage.pointer[r * cols + c] }
        set {
            makeUnique()
            storage.pointer[r * cols + c] = newValue
        }
    }

    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// self · other (plain gemm), used at load time to fold consecutive linear maps.
    public func multiplied(by other: Matrix) -> Matrix {
        precondition(cols == other.rows, "matrix product \(rows)x\(cols) · \(other.rows)x\(other.cols)")
        var out = Matrix(rows: rows, cols: other.cols)
        withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(m: rows, n: other.cols, k: cols, a: a.baseAddress!, lda: cols,
                              b: b.baseAddress!, ldb: other.cols, c: c.baseAddress!, ldc: other.cols)
                }
            }
        }
        return out
    }

    /// self · v + bias, for folding biases through linear maps.
    public func apply(_ v: [Float], adding bias: [Float]? = nil) -> [Float] {
        precondition(v.count == cols)
        var out = bias ?? [Float](repeating: 0, count: rows)
        precondition(out.count == rows)
        for r in 0..<rows {
            var s: Float = 0
            for c in 0..<cols { s += storage.pointer[r * cols + c] * v[c] }
            out[r] += s
        }
        return out
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = AlignedBuffer(copying: storage) }
    }
}
