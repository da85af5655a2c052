import Testing
@testable import Inference

/// ResNet's 3x3 / stride 2 / padding 1 max pooling on odd, even and one-pixel planes against the
/// window maximum written out (−∞ padding: a window never sees a value from outside the plane).
@Suite struct MaxPoolTests {
    @Test(arguments: [(1, 1), (2, 3), (5, 7), (8, 8), (9, 4)], [1, 3])
    func matchesTheWindowMaximum(size: (h: Int, w: Int), workers: Int) {
        let (c, h, w) = (5, size.h, size.w)
        // Negative values everywhere, so a zero leaking in from the padding would show.
        let x = Tensor(shape: TensorShape(channels: c, height: h, width: w),
                       values: (0..<(c * h * w)).map { -1 - Float(($0 &* 2_654_435_761) % 997) / 97 })
        let y = MaxPool2D().forward(x, workers: workers)
        let (ho, wo) = ((h - 1) / 2 + 1, (w - 1) / 2 + 1)
        #expect(y.shape == TensorShape(channels: c, height: ho, width: wo))
        for ch in 0..<c {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var m = -Float.infinity
                    for yy in max(0, 2 * oy - 1)...min(h - 1, 2 * oy + 1) {
                        for xx in max(0, 2 * ox - 1)...min(w - 1, 2 * ox + 1) { m = max(m, x[ch, yy, xx]) }
                    }
                    #expect(y[ch, oy, ox] == m, "\(size) at \(ch), \(oy), \(ox)")
                }
            }
        }
    }
}
