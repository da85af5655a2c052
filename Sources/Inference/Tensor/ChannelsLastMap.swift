import CEngineKernels

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
    /// normalisation and the scale's folded 1x1 projection, at the scale's own resolution. The
    /// normalisation is a per-position scalar, so it goes on whichever side is smaller: on the K (or
    /// d) outputs after the gemm when K ≤ C (the scale pieces, K = 2 in map mode), on a normalised copy
    /// of the tile's C inputs when C < K (the conv1 piece: 64 inputs, 256 outputs, where scaling the
    /// 64 MB output at 512x512 was a pass of its own). Tiles of positions go to the scratch's workers.
    static func projectingNormalised(_ f: Tensor, by m: Matrix, scratch: inout WorkerScratch) -> ChannelsLastMap {
        precondition(m.cols == f.channels, "projection \(m.rows)x\(m.cols) on \(f.shape)")
        let p = f.shape.plane, k = m.rows, c = f.channels
        var out = Matrix(uninitializedRows: p, cols: k)  // the gemm (beta 0) writes every element
        let tile = min(p, tilePositions)
        let tiles = (p + tile - 1) / tile
        let scaleInputs = c < k
        let buffers = scratch.pointers(count: tile + (scaleInputs ? c * tile : 0))
        f.withUnsafeBufferPointer { src in
            m.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { dst in
                    ParallelWork.run(tasks: tiles, workers: scratch.workers) { t, worker in
                        let p0 = t * tile, tp = min(p, p0 + tile) - p0
                        let inverse = buffers[worker].pointer, normalised = inverse + tile
                        sa_inverse_column_norms(src.baseAddress! + p0, Int32(c), p, Int32(tp), FeatureNormalisation.eps, inverse)
                        // out[tile × K] = l2n(f)ᵀ[tile × C] · Mᵀ[C × K]
                        if scaleInputs {
                            sa_scale_columns(src.baseAddress! + p0, Int32(c), p, Int32(tp), inverse, normalised)
                            BLAS.gemm(m: tp, n: k, k: c, a: normalised, lda: tp, transA: true,
                                      b: w.baseAddress!, ldb: m.cols, transB: true, c: dst.baseAddress! + p0 * k, ldc: k)
                        } else {
                            BLAS.gemm(m: tp, n: k, k: c, a: src.baseAddress! + p0, lda: p, transA: true,
                                      b: w.baseAddress!, ldb: m.cols, transB: true, c: dst.baseAddress! + p0 * k, ldc: k)
                            sa_scale_rows(dst.baseAddress! + p0 * k, Int32(tp), Int32(k), inverse)
                        }
                    }
                }
            }
        }
        return ChannelsLastMap(height: f.height, width: f.width, data: out)
    }
}
