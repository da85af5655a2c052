/// A small feature map stored position-major (HWC): the folded per-scale context pieces. The colour
/// branch interpolates all channels of one position at a time, so channels-last makes that a
/// contiguous, vectorisable loop over the channels.
public struct ChannelsLastMap: Sendable {
    public let height: Int
    public let width: Int
    public let channels: Int
    let data: Matrix  // (height·width) × channels

    init(height: Int, width: Int, data: Matrix) {
        precondition(data.rows == height * width)
        self.height = height
        self.width = width
        channels = data.cols
        self.data = data
    }

    public subscript(y: Int, x: Int, c: Int) -> Float { data[y * width + x, c] }

    /// M · l2n(f)[:, p] for every position p of a CHW map, stored channels-last: the hypercolumn
    /// normalisation and the scale's folded 1x1 projection, at the scale's own resolution.
    /// The normalisation is a per-position scalar, so it is applied after the projection, to the K
    /// (or d) outputs, instead of to the C inputs: no normalised copy of the feature map is made.
    static func projectingNormalised(_ f: Tensor, by m: Matrix) -> ChannelsLastMap {
        precondition(m.cols == f.channels, "projection \(m.rows)x\(m.cols) on \(f.shape)")
        let p = f.shape.plane, k = m.rows
        var out = Matrix(rows: p, cols: k)
        var inverseNorm = [Float](repeating: 0, count: p)
        f.withUnsafeBufferPointer { src in
            inverseNorm.withUnsafeMutableBufferPointer { n in
                for c in 0..<f.channels {
                    let row = src.baseAddress! + c * p
                    for i in 0..<p { n[i] += row[i] * row[i] }
                }
                for i in 0..<p { n[i] = 1 / max(n[i].squareRoot(), FeatureNormalisation.eps) }
            }
            m.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { dst in
                    // out[P × K] = fᵀ[P × C] · Mᵀ[C × K], then row i scaled by 1 / ‖f[:, i]‖
                    BLAS.gemm(m: p, n: k, k: f.channels, a: src.baseAddress!, lda: p, transA: true,
                              b: w.baseAddress!, ldb: m.cols, transB: true, c: dst.baseAddress!, ldc: k)
                    inverseNorm.withUnsafeBufferPointer { n in
                        for i in 0..<p {
                            let row = dst.baseAddress! + i * k, s = n[i]
                            for j in 0..<k { row[j] *= s }
                        }
                    }
                }
            }
        }
        return ChannelsLastMap(height: f.height, width: f.width, data: out)
    }
}
