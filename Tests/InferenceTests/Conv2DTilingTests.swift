import Testing
@testable import Inference

/// Conv2D runs its gemm over tiles of output rows (im2col columns ≤ Conv2D.columnTileFloats): a wide
/// input makes many tiles, checked against a direct convolution written out in loops.
@Suite struct Conv2DTilingTests {
    static func value(_ i: Int, _ salt: Int) -> Float {
        Float((i &* 2_654_435_761 &+ salt) % 1000) / 500 - 1
    }

    /// Each shape on one worker and on three (tiles handed out unevenly, each worker its own columns).
    @Test(arguments: [(3, 1, 1, 32, 23), (3, 2, 1, 32, 23), (7, 2, 3, 32, 23), (1, 2, 0, 128, 60), (1, 1, 0, 32, 23)], [1, 3])
    func tiledEqualsDirect(shape: (kernel: Int, stride: Int, padding: Int, cin: Int, h: Int), workers: Int) {
        let (kernel, stride, padding, cin, h) = shape
        let (cout, w) = (5, 300)
        let k = cin * kernel * kernel
        let weight = Matrix(rows: cout, cols: k, values: (0..<(cout * k)).map { Self.value($0, 7) * 0.1 })
        let bias = (0..<cout).map { Self.value($0, 3) }
        let conv = Conv2D(weight: weight, bias: bias, inChannels: cin, kernel: kernel, stride: stride, padding: padding)
        let x = Tensor(shape: TensorShape(channels: cin, height: h, width: w), values: (0..<(cin * h * w)).map { Self.value($0, 11) })
        let os = conv.outputShape(for: x.shape)
        let tileRows = kernel == 1 && stride == 1
            ? Conv2D.directTilePositions / os.width
            : max(Conv2D.columnTileFloats / (k * os.width), (Conv2D.minimumTilePositions + os.width - 1) / os.width)
        #expect(tileRows < os.height, "the input must span several tiles")
        var scratch = WorkerScratch(workers: workers)
        let residual = Tensor(shape: os, values: (0..<os.count).map { Self.value($0, 5) })
        let y = conv.forward(x, relu: true, residual: residual, scratch: &scratch)
        // The direct convolution over raw buffers: this debug-built loop is tens of millions of
        // multiply-adds, and element subscripts would make it hog the shared test threads for
        // seconds (starving the socket tests that run alongside).
        let xs = x.values, ws = weight.withUnsafeBufferPointer { Array($0) }, rs = residual.values, ys = y.values
        var worst: Float = 0
        xs.withUnsafeBufferPointer { xp in
        ws.withUnsafeBufferPointer { wp in
            for o in 0..<cout {
                for oy in 0..<os.height {
                    for ox in 0..<os.width {
                        let out = (o * os.height + oy) * os.width + ox
                        var s = bias[o] + rs[out]
                        for c in 0..<cin {
                            for ky in 0..<kernel {
                                let iy = oy * stride - padding + ky
                                guard iy >= 0, iy < h else { continue }
                                let row = xp.baseAddress! + (c * h + iy) * w
                                let taps = wp.baseAddress! + o * k + (c * kernel + ky) * kernel
                                for kx in 0..<kernel {
                                    let ix = ox * stride - padding + kx
                                    guard ix >= 0, ix < w else { continue }
                                    s += taps[kx] * row[ix]
                                }
                            }
                        }
                        worst = max(worst, abs(max(s, 0) - ys[out]))
                    }
                }
            }
        }}
        #expect(worst <= 1e-4, "kernel \(kernel) stride \(stride): max abs error \(worst)")
    }
}
