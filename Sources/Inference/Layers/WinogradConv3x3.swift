import CEngineKernels

/// A 3x3, stride-1, padding-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray,
/// "Fast Algorithms for Convolutional Neural Networks", 2016): each 2x2 output tile comes from a 4x4
/// input tile with 16 products per channel pair instead of 36, 2.25x fewer multiply-adds. The products
/// are 16 sgemms, one per transform point ξ: M_ξ[Cout × tiles] = U_ξ[Cout × Cin] · V_ξ[Cin × tiles],
/// with U = G g Gᵀ (the weights, transformed once at load) and V = Bᵀ d B (each input tile).
/// F(2x2, 3x3)'s transforms are additions only on the input side and ±½ on the weights, so its fp32
/// error stays at the level of a direct convolution's rounding (unlike F(4x4, 3x3)).
/// The ResNet trunk's 3x3 convolutions are half of its multiply-adds (v1 puts every stride on a 1x1).
struct WinogradConv3x3: Sendable {
    let inChannels: Int
    let outChannels: Int
    /// 16 blocks, ξ-major: block ξ is U_ξ, Cout × Cin row-major.
    let transformedWeight: Matrix

    /// Floats of V and M per worker for one task: tile rows per task are chosen to keep both near 4 MB
    /// (L3-resident; fewer tiles per task would make the 16 gemms too narrow to run at speed).
    static let taskScratchFloats = 1 << 20

    /// `weight`: Cout × (Cin·9), each row [c][ky][kx], as Conv2D holds it (batch norm folded in).
    init(weight: Matrix, inChannels: Int) {
        precondition(weight.cols == inChannels * 9)
        self.inChannels = inChannels
        outChannels = weight.rows
        let (cout, cin) = (outChannels, inChannels)
        var u = Matrix(rows: 16 * cout, cols: cin)
        weight.withUnsafeBufferPointer { g in
            u.withUnsafeMutableBufferPointer { dst in
                for o in 0..<cout {
                    for c in 0..<cin {
                        let taps = g.baseAddress! + o * cin * 9 + c * 9
                        // G g Gᵀ in Double, G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]: the
                        // same combination applied to the 3 rows of g, then to the 3 values of each row.
                        @inline(__always) func combine(_ a: Double, _ b: Double, _ d: Double) -> (Double, Double, Double, Double) {
                            (a, (a + b + d) / 2, (a - b + d) / 2, d)
                        }
                        func tap(_ i: Int) -> Double { Double(taps[i]) }
                        let c0 = combine(tap(0), tap(3), tap(6)), c1 = combine(tap(1), tap(4), tap(7))
                        let c2 = combine(tap(2), tap(5), tap(8))
                        // Row i of G g holds element i of c0, c1, c2; G applied to it gives points 4i … 4i + 3.
                        func store(row i: Int, _ a: Double, _ b: Double, _ d: Double) {
                            let r = combine(a, b, d)
                            dst[((i * 4 + 0) * cout + o) * cin + c] = Float(r.0)
                            dst[((i * 4 + 1) * cout + o) * cin + c] = Float(r.1)
                            dst[((i * 4 + 2) * cout + o) * cin + c] = Float(r.2)
                            dst[((i * 4 + 3) * cout + o) * cin + c] = Float(r.3)
                        }
                        store(row: 0, c0.0, c1.0, c2.0)
                        store(row: 1, c0.1, c1.1, c2.1)
                        store(row: 2, c0.2, c1.2, c2.2)
                        store(row: 3, c0.3, c1.3, c2.3)
                    }
                }
            }
        }
        transformedWeight = u
    }

    /// Whether Winograd applies to a convolution of this geometry.
    static func applies(kernel: Int, stride: Int, padding: Int) -> Bool {
        kernel == 3 && stride == 1 && padding == 1
    }

    /// relu(conv(x) + bias [+ residual]), same shape as `x` with `outChannels` channels. Tasks are runs
    /// of whole tile rows shared out to the scratch's workers; each transforms its input tiles
    /// (sa_winograd_f23_input), runs the 16 gemms and transforms back with the epilogue
    /// (sa_winograd_f23_output), writing only its own output rows.
    /// `phases` forces the phased (true) or the row-task (false) schedule; nil picks as described.
    func forward(_ x: Tensor, bias: [Float], relu: Bool, residual: Tensor?, scratch: inout WorkerScratch,
                 phases: Bool? = nil) -> Tensor {
        precondition(x.channels == inChannels, "conv expects \(inChannels) channels, got \(x.shape)")
        let (h, w) = (x.height, x.width)
        let os = TensorShape(channels: outChannels, height: h, width: w)
        if let residual { precondition(residual.shape == os, "residual \(residual.shape) vs output \(os)") }
        let (cin, cout) = (inChannels, outChannels)
        let tilesWide = (w + 1) / 2, tileRows = (h + 1) / 2
        let preferredRows = max(1, Self.taskScratchFloats / (16 * (cin + cout) * tilesWide))
        // At least one task per worker.
        let rowsPerTask = max(1, min(preferredRows, (tileRows + scratch.workers - 1) / scratch.workers))
        let tasks = (tileRows + rowsPerTask - 1) / rowsPerTask
        let fits = 16 * (cin + cout) * tileRows * tilesWide <= Self.phasedFloats
        if phases ?? (tasks < Self.tasksPerWorker * scratch.workers && fits) {
            return forwardInPhases(x, bias: bias, relu: relu, residual: residual, scratch: &scratch)
        }
        let stride = rowsPerTask * tilesWide  // tiles per task: the buffers' row length
        let vCount = 16 * cin * stride, mCount = 16 * cout * stride
        let buffers = scratch.pointers(count: vCount + mCount + sa_winograd_f23_scratch(Int32(w)))
        var out = Tensor(uninitialized: os)  // every output row is written by exactly one task
        x.withUnsafeBufferPointer { src in
            transformedWeight.withUnsafeBufferPointer { u in
                bias.withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { dst in
                        residual.withUnsafeBaseAddress { res in
                            ParallelWork.run(tasks: tasks, workers: scratch.workers) { task, worker in
                                let row0 = task * rowsPerTask, rows = min(tileRows, row0 + rowsPerTask) - row0
                                let v = buffers[worker].pointer, m = v + vCount, rowScratch = m + mCount
                                sa_winograd_f23_input(src.baseAddress!, Int32(cin), Int32(h), Int32(w), Int32(row0),
                                                      Int32(rows), v, cin * stride, stride, rowScratch)
                                for xi in 0..<16 {
                                    BLAS.gemm(m: cout, n: rows * tilesWide, k: cin, a: u.baseAddress! + xi * cout * cin,
                                              lda: cin, b: v + xi * cin * stride, ldb: stride,
                                              c: m + xi * cout * stride, ldc: stride)
                                }
                                sa_winograd_f23_output(m, Int32(cout), Int32(h), Int32(w), Int32(row0), Int32(rows),
                                                       cout * stride, stride, b.baseAddress!, res, relu ? 1 : 0,
                                                       dst.baseAddress!, rowScratch)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Below this many tasks per worker, an image small enough (`phasedFloats` of V and M) runs in
    /// phases instead: a few row tasks left a worker idle whenever the other was slowed (layer3 at
    /// 512x512 made two).
    static let tasksPerWorker = 4
    static let phasedFloats = 1 << 22

    /// The same convolution in three parallel phases over the whole image: the input transform by
    /// channel chunks, the 16 gemms one task each, the output transform by channel chunks.
    private func forwardInPhases(_ x: Tensor, bias: [Float], relu: Bool, residual: Tensor?,
                                 scratch: inout WorkerScratch) -> Tensor {
        let (h, w) = (x.height, x.width)
        let (cin, cout) = (inChannels, outChannels)
        let tilesWide = (w + 1) / 2, tileRows = (h + 1) / 2, tiles = tileRows * tilesWide
        let v = scratch.shared(count: 16 * (cin + cout) * tiles).pointer, m = v + 16 * cin * tiles
        let rowScratch = scratch.pointers(count: sa_winograd_f23_scratch(Int32(w)))
        let workers = scratch.workers
        var out = Tensor(uninitialized: TensorShape(channels: cout, height: h, width: w))
        x.withUnsafeBufferPointer { src in
            ParallelWork.chunks(of: cin, workers: workers) { channels, worker in
                let c0 = channels.lowerBound
                sa_winograd_f23_input(src.baseAddress! + c0 * h * w, Int32(channels.count), Int32(h), Int32(w), 0,
                                      Int32(tileRows), v + c0 * tiles, cin * tiles, tiles, rowScratch[worker].pointer)
            }
        }
        transformedWeight.withUnsafeBufferPointer { u in
            ParallelWork.run(tasks: 16, workers: workers) { xi, _ in
                BLAS.gemm(m: cout, n: tiles, k: cin, a: u.baseAddress! + xi * cout * cin, lda: cin,
                          b: v + xi * cin * tiles, ldb: tiles, c: m + xi * cout * tiles, ldc: tiles)
            }
        }
        bias.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { dst in
                residual.withUnsafeBaseAddress { res in
                    ParallelWork.chunks(of: cout, workers: workers) { channels, worker in
                        let o0 = channels.lowerBound
                        sa_winograd_f23_output(m + o0 * tiles, Int32(channels.count), Int32(h), Int32(w), 0, Int32(tileRows),
                                               cout * tiles, tiles, b.baseAddress! + o0, res.map { $0 + o0 * h * w },
                                               relu ? 1 : 0, dst.baseAddress! + o0 * h * w, rowScratch[worker].pointer)
                    }
                }
            }
        }
        return out
    }

}
