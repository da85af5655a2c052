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

    /// Positions per task of `projectingNormalised`: a tile's K outputs stay in cache for the scaling.
    static let tilePositions = 4096

    /// M · l2n(f)[:, p] for every position p of a CHW map, stored channels-last: the hypercolumn
    /// normalisation and the scale's folded 1x1 projection, at the scale's own resolution.
    /// The normalisation is a per-position scalar, so it is applied after the projection, to the K
    /// (or d) outputs, instead of to the C inputs: no normalised copy of the feature map is made.
    /// Tiles of positions are shared out to the scratch's workers.
    static func projectingNormalised(_ f: Tensor, by m: Matrix, scratch: inout WorkerScratch) -> ChannelsLastMap {
        precondition(m.cols == f.channels, "projection \(m.rows)x\(m.cols) on \(f.shape)")
        let p = f.shape.plane, k = m.rows, c = f.channels
        var out = Matrix(uninitializedRows: p, cols: k)  // the gemm (beta 0) writes every element
        let tile = min(p, tilePositions)
        let tiles = (p + tile - 1) / tile
        let norms = scratch.pointers(count: tile)
        f.withUnsafeBufferPointer { src in
            m.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { dst in
                    ParallelWork.run(tasks: tiles, workers: scratch.workers) { t, worker in
                        let p0 = t * tile, tp = min(p, p0 + tile) - p0
                        let n = norms[worker].pointer
                        n.update(repeating: 0, count: tp)
                        for ch in 0..<c {
                            let row = src.baseAddress! + ch * p + p0
                            for i in 0..<tp { n[i] += row[i] * row[i] }
                        }
                        // out[tile × K] = fᵀ[tile × C] · Mᵀ[C × K], then row i scaled by 1 / ‖f[:, i]‖
                        BLAS.gemm(m: tp, n: k, k: c, a: src.baseAddress! + p0, lda: p, transA: true,
                                  b: w.baseAddress!, ldb: m.cols, transB: true, c: dst.baseAddress! + p0 * k, ldc: k)
                        for i in 0..<tp {
                            let row = dst.baseAddress! + (p0 + i) * k
                            let s = 1 / max(n[i].squareRoot(), FeatureNormalisation.eps)
                            for j in 0..<k { row[j] *= s }
                        }
                    }
                }
            }
        }
        return ChannelsLastMap(height: f.height, width: f.width, data: out)
    }
}
