import Testing
@testable import Inference

/// The Winograd F(2x2, 3x3) path against the im2col path of the same 3x3 convolution: odd and tiny
/// sizes (partial edge tiles, a single pixel), tasks that cover several tile rows, with and without
/// the residual and the ReLU, on one worker and three.
@Suite struct WinogradConvTests {
    static func value(_ i: Int, _ salt: Int) -> Float {
        Float((i &* 2_654_435_761 &+ salt) % 1000) / 500 - 1
    }

    @Test(arguments: [(8, 5, 1, 1), (8, 5, 2, 3), (16, 12, 23, 37), (24, 16, 40, 64), (3, 7, 9, 130)], [1, 3])
    func matchesIm2col(shape: (cin: Int, cout: Int, h: Int, w: Int), workers: Int) {
        let (cin, cout, h, w) = shape
        let k = cin * 9
        let weight = Matrix(rows: cout, cols: k, values: (0..<(cout * k)).map { Self.value($0, 7) * 0.2 })
        let bias = (0..<cout).map { Self.value($0, 3) }
        let fast = Conv2D(weight: weight, bias: bias, inChannels: cin, kernel: 3, stride: 1, padding: 1)
        let reference = Conv2D(weight: weight, bias: bias, inChannels: cin, kernel: 3, stride: 1, padding: 1, winograd: false)
        #expect(fast.winograd != nil && reference.winograd == nil)
        let x = Tensor(shape: TensorShape(channels: cin, height: h, width: w), values: (0..<(cin * h * w)).map { Self.value($0, 11) })
        let residual = Tensor(shape: TensorShape(channels: cout, height: h, width: w),
                              values: (0..<(cout * h * w)).map { Self.value($0, 5) })
        for (relu, res) in [(true, nil), (false, nil), (true, residual), (false, residual)] as [(Bool, Tensor?)] {
            var s2 = WorkerScratch(workers: 1)
            let b = reference.forward(x, relu: relu, residual: res, scratch: &s2).values
            let scale = b.map(abs).max() ?? 1
            // Both schedules: tasks of tile rows, and the phased one (transform, 16 gemms, transform).
            for phases in [false, true] {
                var s1 = WorkerScratch(workers: workers)
                let a = fast.winograd!.forward(x, bias: bias, relu: relu, residual: res, scratch: &s1, phases: phases).values
                let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
                #expect(a.count == b.count && worst <= 1e-5 * max(scale, 1),
                        "\(shape) relu \(relu) residual \(res != nil) phases \(phases): max abs \(worst) of \(scale)")
            }
        }
    }

    /// A single 3x3 kernel on a delta image gives back its taps: the weight transform G g Gᵀ and the
    /// two data transforms compose to the plain correlation, tap for tap.
    @Test func transformedWeightsReproduceTheKernel() {
        let taps: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let conv = Conv2D(weight: Matrix(rows: 1, cols: 9, values: taps), bias: [0], inChannels: 1, kernel: 3,
                          stride: 1, padding: 1)
        var delta = [Float](repeating: 0, count: 25)
        delta[12] = 1
        var scratch = WorkerScratch(workers: 1)
        let y = conv.forward(Tensor(shape: TensorShape(channels: 1, height: 5, width: 5), values: delta), relu: false,
                             scratch: &scratch)
        // out[y, x] = Σ w[ky, kx] · in[y + ky − 1, x + kx − 1]: the delta at (2, 2) shows the taps reversed.
        for ky in 0..<3 {
            for kx in 0..<3 {
                #expect(abs(y[0, 3 - ky, 3 - kx] - taps[ky * 3 + kx]) < 1e-5)
            }
        }
    }
}
