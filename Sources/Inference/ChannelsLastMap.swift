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
    static func projectingNormalised(_ f: Tensor, by m: Matrix) -> ChannelsLastMap {
        precondition(m.cols == f.channels, "projection \(m.rows)x\(m.cols) on \(f.shape)")
        let p = f.shape.plane
        var out = Matrix(rows: p, cols: m.rows)
        FeatureNormalisation.normalised(f).withUnsafeBufferPointer { src in
            m.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { dst in
                    // out[P × K] = l2n(f)ᵀ[P × C] · Mᵀ[C × K]
                    BLAS.gemm(m: p, n: m.rows, k: f.channels, a: src.baseAddress!, lda: p, transA: true,
                              b: w.baseAddress!, ldb: m.cols, transB: true, c: dst.baseAddress!, ldc: m.rows)
                }
            }
        }
        return ChannelsLastMap(height: f.height, width: f.width, data: out)
    }
}
