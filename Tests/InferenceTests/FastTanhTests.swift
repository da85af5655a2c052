import Foundation
import Testing
@testable import Inference

@Suite struct FastTanhTests {
    @Test func matchesLibmTanh() {
        var worst: Float = 0
        var x: Float = -12
        while x <= 12 {
            worst = max(worst, abs(FastTanh.tanh(x) - tanhf(x)))
            x += 0.000_37
        }
        #expect(worst <= 5e-7, "max error \(worst)")  // a few ulp below 1
        #expect(FastTanh.tanh(1e-5) == 1e-5)
        #expect(FastTanh.tanh(50) == 1 && FastTanh.tanh(-50) == -1)
    }
}
