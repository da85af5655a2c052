/// A 2-D convolution (square kernel, zero padding) as one gemm: W[Cout × Cin·k·k] · cols[Cin·k·k × Ho·Wo].
/// A 1x1 stride-1 convolution uses the input itself as the right operand (CHW is already Cin × positions);
/// a strided 1x1 gathers the sampled positions first. Batch norm is folded into W and the bias at load.
struct Conv2D: Sendable {
    let inChannels: Int
    let outChannels: Int
    let kernel: Int
    let stride: Int
    let padding: Int
    let weight: Matrix
    let bias: [Float]

    init(weight: Matrix, bias: [Float], inChannels: Int, kernel: Int, stride: Int, padding: Int) {
        precondition(weight.cols == inChannels * kernel * kernel && bias.count == weight.rows)
        self.inChannels = inChannels
        outChannels = weight.rows
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.weight = weight
        self.bias = bias
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

    /// relu(conv(x) + bias [+ residual]). The residual is copied into the output and accumulated by the
    /// gemm (beta = 1), so the skip connection costs no extra pass. The positions go in tiles of output
    /// rows: im2col, gemm, then bias and ReLU on the tile while it is in cache.
    func forward(_ x: Tensor, relu: Bool, residual: Tensor? = nil, scratch: inout ScratchBuffer) -> Tensor {
        precondition(x.channels == inChannels, "conv expects \(inChannels) channels, got \(x.shape)")
        let os = outputShape(for: x.shape)
        var out = residual ?? Tensor(uninitialized: os)  // the gemm (beta 0) writes every element
        precondition(out.shape == os, "residual \(out.shape) vs output \(os)")
        let n = os.plane, wo = os.width
        let k = inChannels * kernel * kernel
        let direct = kernel == 1 && stride == 1 && padding == 0
        let rowsPerTile = direct
            ? max(1, min(os.height, Self.directTilePositions / max(1, wo)))
            : max(1, min(os.height, max(Self.columnTileFloats / max(1, k * wo), (Self.minimumTilePositions + wo - 1) / wo)))
        let cols: UnsafeMutablePointer<Float>? = direct ? nil : scratch.pointer(count: k * rowsPerTile * wo)
        let beta: Float = residual == nil ? 0 : 1
        x.withUnsafeBufferPointer { src in
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { dst in
                        for oy0 in Swift.stride(from: 0, to: os.height, by: rowsPerTile) {
                            let rows = oy0..<min(os.height, oy0 + rowsPerTile)
                            let p0 = oy0 * wo, tn = rows.count * wo
                            if let cols {
                                im2col(src.baseAddress!, in: x.shape, out: os, rows: rows, into: cols)
                                BLAS.gemm(m: outChannels, n: tn, k: k, a: w.baseAddress!, lda: k, b: cols, ldb: tn,
                                          c: dst.baseAddress! + p0, ldc: n, beta: beta)
                            } else {
                                BLAS.gemm(m: outChannels, n: tn, k: k, a: w.baseAddress!, lda: k,
                                          b: src.baseAddress! + p0, ldb: n, c: dst.baseAddress! + p0, ldc: n, beta: beta)
                            }
                            for o in 0..<outChannels {
                                let bo = b[o]
                                let row = dst.baseAddress! + o * n + p0
                                if relu {
                                    for i in 0..<tn { row[i] = max(row[i] + bo, 0) }
                                } else {
                                    for i in 0..<tn { row[i] += bo }
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
