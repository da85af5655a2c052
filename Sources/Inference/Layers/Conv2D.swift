import CEngineKernels

/// A 2-D convolution (square kernel, zero padding) as gemms: W[Cout × Cin·k·k] · cols[Cin·k·k × Ho·Wo].
/// A 1x1 stride-1 convolution uses the input itself as the right operand (CHW is already Cin × positions);
/// a strided 1x1 gathers the sampled positions first; a 3x3 stride-1 one runs by Winograd F(2x2, 3x3)
/// (WinogradConv3x3); others by im2col. Batch norm is folded into W and the bias at load.
struct Conv2D: Sendable {
    let inChannels: Int
    let outChannels: Int
    let kernel: Int
    let stride: Int
    let padding: Int
    /// Cout × Cin·k·k; empty when `winograd` holds the weights instead.
    let weight: Matrix
    let bias: [Float]
    /// The Winograd form of a 3x3 / stride 1 / padding 1 convolution, used in place of im2col.
    let winograd: WinogradConv3x3?

    /// `winograd: false` keeps even a 3x3 / stride 1 convolution on im2col (for tests of that path).
    init(weight: Matrix, bias: [Float], inChannels: Int, kernel: Int, stride: Int, padding: Int, winograd: Bool = true) {
        precondition(weight.cols == inChannels * kernel * kernel && bias.count == weight.rows)
        self.inChannels = inChannels
        outChannels = weight.rows
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.bias = bias
        let fast = winograd && WinogradConv3x3.applies(kernel: kernel, stride: stride, padding: padding)
            ? WinogradConv3x3(weight: weight, inChannels: inChannels) : nil
        self.winograd = fast
        // The im2col weights are not needed beside their Winograd form (17 MB in the trunk).
        self.weight = fast == nil ? weight : Matrix(rows: 0, cols: 0)
    }

    /// `name.weight` [Cout, Cin, k, k] with the batch norm `bn` folded in.
    init(file: SafetensorsFile, weight name: String, bn: String, eps: Float, stride: Int, padding: Int)
        throws(SafetensorsError)
    {
        let info = try file.info("\(name).weight")
        guard info.shape.count == 4, info.shape[2] == info.shape[3] else {
            throw .shapeMismatch(name: info.name, expected: [-1, -1, -1, -1], actual: info.shape)
        }
        let (cout, cin, k) = (info.shape[0], info.shape[1], info.shape[2])
        let raw = try file.floats(info.name)
        let norm = try BatchNorm(file: file, prefix: bn, channels: cout, eps: eps)
        var w = Matrix(rows: cout, cols: cin * k * k)
        w.withUnsafeMutableBufferPointer { p in
            for o in 0..<cout {
                for j in 0..<(cin * k * k) { p[o * cin * k * k + j] = raw[o * cin * k * k + j] * norm.scale[o] }
            }
        }
        self.init(weight: w, bias: norm.shift, inChannels: cin, kernel: k, stride: stride, padding: padding)
    }

    func outputShape(for input: TensorShape) -> TensorShape {
        TensorShape(
            channels: outChannels,
            height: (input.height + 2 * padding - kernel) / stride + 1,
            width: (input.width + 2 * padding - kernel) / stride + 1)
    }

    /// Floats of im2col columns per gemm call (1 MB): tiles of output rows whose columns stay in L2,
    /// so OpenBLAS's packing reads them from cache instead of a 40 MB buffer.
    static let columnTileFloats = 1 << 18
    /// At least this many positions per tile: every gemm call packs the weights again, which must
    /// stay small next to the tile's work (layer3's 3x3 weights are 2.4 MB).
    static let minimumTilePositions = 512
    /// Positions per gemm call of a 1x1 convolution, so its bias/ReLU pass finds the tile in cache.
    static let directTilePositions = 4096
    /// A 1x1 convolution on few positions (the late layers) also splits its output channels, in
    /// blocks of at least this many, until there are `tasksPerWorker` tasks per worker: with one task
    /// per worker, a core slowed by anything else left the other idle at every layer.
    static let minimumChannelBlock = 64
    static let tasksPerWorker = 4

    /// relu(conv(x) + bias [+ residual]). The positions go in tiles of output rows, shared out to the
    /// scratch's workers. Each tile's output starts as bias (+ residual) and the gemm accumulates onto
    /// it (beta = 1): that fill replaces both OpenBLAS's zeroing pass of a beta = 0 gemm and a separate
    /// bias pass, and the skip connection costs no pass of its own; ReLU is the only pass after the
    /// gemm, on the tile while it is in cache. Nothing between gemms runs on one core alone.
    func forward(_ x: Tensor, relu: Bool, residual: Tensor? = nil, scratch: inout WorkerScratch) -> Tensor {
        if let winograd { return winograd.forward(x, bias: bias, relu: relu, residual: residual, scratch: &scratch) }
        if kernel == 1, padding == 0, stride > 1 {
            // A strided 1x1 is a 1x1 on the sampled positions: gathered once (a small copy), it then
            // runs as a direct gemm with channel blocks instead of a few im2col tiles.
            let sampled = x.sampled(stride: stride)
            return Conv2D(weight: weight, bias: bias, inChannels: inChannels, kernel: 1, stride: 1, padding: 0)
                .forward(sampled, relu: relu, residual: residual, scratch: &scratch)
        }
        precondition(x.channels == inChannels, "conv expects \(inChannels) channels, got \(x.shape)")
        let os = outputShape(for: x.shape)
        if let residual { precondition(residual.shape == os, "residual \(residual.shape) vs output \(os)") }
        var out = Tensor(uninitialized: os)  // each tile fills its part before its gemm
        let n = os.plane, wo = os.width
        let k = inChannels * kernel * kernel
        let direct = kernel == 1 && stride == 1 && padding == 0
        let preferredRows = direct
            ? max(1, min(os.height, Self.directTilePositions / max(1, wo)))
            : max(1, min(os.height, max(Self.columnTileFloats / max(1, k * wo), (Self.minimumTilePositions + wo - 1) / wo)))
        // At least one tile per worker: the late layers are a few tiles' worth of rows.
        let rowsPerTile = max(1, min(preferredRows, (os.height + scratch.workers - 1) / scratch.workers))
        let tiles = (os.height + rowsPerTile - 1) / rowsPerTile
        // Channel blocks (direct only: an im2col tile would be gathered once per block).
        let blocks = direct
            ? max(1, min(outChannels / Self.minimumChannelBlock, (Self.tasksPerWorker * scratch.workers + tiles - 1) / tiles))
            : 1
        let channelsPerBlock = (outChannels + blocks - 1) / blocks
        let cols = direct ? [] : scratch.pointers(count: k * rowsPerTile * wo)
        x.withUnsafeBufferPointer { src in
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { dst in
                        residual.withUnsafeBaseAddress { res in
                            ParallelWork.run(tasks: tiles * blocks, workers: scratch.workers) { task, worker in
                                let tile = task / blocks, block = task % blocks
                                let oy0 = tile * rowsPerTile
                                let rows = oy0..<min(os.height, oy0 + rowsPerTile)
                                let p0 = oy0 * wo, tn = rows.count * wo
                                let o0 = block * channelsPerBlock, channels = o0..<min(outChannels, o0 + channelsPerBlock)
                                for o in channels {
                                    sa_fill(dst.baseAddress! + o * n + p0, res.map { $0 + o * n + p0 }, b[o], tn)
                                }
                                if direct {
                                    BLAS.gemm(m: channels.count, n: tn, k: k, a: w.baseAddress! + o0 * k, lda: k,
                                              b: src.baseAddress! + p0, ldb: n, c: dst.baseAddress! + o0 * n + p0, ldc: n, beta: 1)
                                } else {
                                    let c = cols[worker].pointer
                                    im2col(src.baseAddress!, in: x.shape, out: os, rows: rows, into: c)
                                    BLAS.gemm(m: outChannels, n: tn, k: k, a: w.baseAddress!, lda: k, b: c, ldb: tn,
                                              c: dst.baseAddress! + p0, ldc: n, beta: 1)
                                }
                                if relu {
                                    for o in channels { sa_relu(dst.baseAddress! + o * n + p0, tn) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// cols[(c·k + ky)·k + kx, (oy − rows.lower)·Wo + ox] = x[c, oy·s − p + ky, ox·s − p + kx] for oy in
    /// `rows`, zero outside the input. The valid ox range is computed per kx so the inner loop has no branch.
    private func im2col(_ x: UnsafePointer<Float>, in s: TensorShape, out os: TensorShape, rows: Range<Int>,
                        into cols: UnsafeMutablePointer<Float>) {
        let (h, w, wo) = (s.height, s.width, os.width)
        let tn = rows.count * wo
        for c in 0..<inChannels {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = cols + ((c * kernel + ky) * kernel + kx) * tn
                    // ox valid iff 0 <= ox·s − p + kx < w.
                    let lo = max(0, (padding - kx + stride - 1) / stride)
                    let hi = min(wo, (w - 1 + padding - kx) / stride + 1)
                    for oy in rows {
                        let dst = row + (oy - rows.lowerBound) * wo
                        let iy = oy * stride - padding + ky
                        guard iy >= 0, iy < h, lo < hi else {
                            dst.update(repeating: 0, count: wo)
                            continue
                        }
                        let src = x + (c * h + iy) * w - padding + kx
                        if lo > 0 { dst.update(repeating: 0, count: lo) }
                        if stride == 1 {
                            (dst + lo).update(from: src + lo, count: hi - lo)
                        } else {
                            for ox in lo..<hi { dst[ox] = src[ox * stride] }
                        }
                        if hi < wo { (dst + hi).update(repeating: 0, count: wo - hi) }
                    }
                }
            }
        }
    }
}
