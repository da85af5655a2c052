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

    /// relu(conv(x) + bias [+ residual]). The residual is copied into the output and accumulated by the
    /// gemm (beta = 1), so the skip connection costs no extra pass.
    func forward(_ x: Tensor, relu: Bool, residual: Tensor? = nil, scratch: inout ScratchBuffer) -> Tensor {
        precondition(x.channels == inChannels, "conv expects \(inChannels) channels, got \(x.shape)")
        let os = outputShape(for: x.shape)
        var out = residual ?? Tensor(uninitialized: os)  // the gemm (beta 0) writes every element
        precondition(out.shape == os, "residual \(out.shape) vs output \(os)")
        let n = os.plane
        let k = inChannels * kernel * kernel
        let direct = kernel == 1 && stride == 1 && padding == 0
        let cols: UnsafeMutablePointer<Float>? = direct ? nil : scratch.pointer(count: k * n)
        x.withUnsafeBufferPointer { src in
            if let cols { im2col(src.baseAddress!, in: x.shape, out: os, into: cols) }
            weight.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { dst in
                    BLAS.gemm(m: outChannels, n: n, k: k, a: w.baseAddress!, lda: k,
                              b: cols.map { UnsafePointer($0) } ?? src.baseAddress!, ldb: n,
                              c: dst.baseAddress!, ldc: n, beta: residual == nil ? 0 : 1)
                }
            }
        }
        out.withUnsafeMutableBufferPointer { dst in
            for o in 0..<outChannels {
                let b = bias[o]
                let row = dst.baseAddress! + o * n
                if relu {
                    for i in 0..<n { row[i] = max(row[i] + b, 0) }
                } else {
                    for i in 0..<n { row[i] += b }
                }
            }
        }
        return out
    }

    /// cols[(c·k + ky)·k + kx, oy·Wo + ox] = x[c, oy·s − p + ky, ox·s − p + kx], zero outside.
    /// The valid ox range is computed per (kx) so the inner loop has no branch.
    private func im2col(_ x: UnsafePointer<Float>, in s: TensorShape, out os: TensorShape, into cols: UnsafeMutablePointer<Float>) {
        let (h, w, ho, wo) = (s.height, s.width, os.height, os.width)
        for c in 0..<inChannels {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = cols + ((c * kernel + ky) * kernel + kx) * ho * wo
                    // ox valid iff 0 <= ox·s − p + kx < w.
                    let lo = max(0, (padding - kx + stride - 1) / stride)
                    let hi = min(wo, (w - 1 + padding - kx) / stride + 1)
                    for oy in 0..<ho {
                        let dst = row + oy * wo
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
