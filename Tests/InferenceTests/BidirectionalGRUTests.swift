import Foundation
import Testing
@testable import Inference

/// The bidirectional GRU along rows and along columns of a non-square map (so a swapped height and
/// width cannot pass) against PyTorch's GRU equations written out per sequence in Double.
@Suite struct BidirectionalGRUTests {
    static func value(_ i: Int, _ salt: Int) -> Float {
        Float((i &* 2_654_435_761 &+ salt) % 1000) / 500 - 1
    }

    static func direction(hidden h: Int, input c: Int, salt: Int) -> GRUDirection {
        GRUDirection(
            weightIH: Matrix(rows: 3 * h, cols: c, values: (0..<(3 * h * c)).map { value($0, salt) * 0.4 }),
            weightHH: Matrix(rows: 3 * h, cols: h, values: (0..<(3 * h * h)).map { value($0, salt + 1) * 0.4 }),
            biasIH: (0..<(3 * h)).map { value($0, salt + 2) * 0.3 },
            biasHH: (0..<(3 * h)).map { value($0, salt + 3) * 0.3 })
    }

    /// h_t for one sequence of input vectors, PyTorch's gate order r, z, n, in Double.
    static func reference(_ d: GRUDirection, _ xs: [[Float]]) -> [[Double]] {
        let h = d.hidden
        func sig(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        var state = [Double](repeating: 0, count: h), outs: [[Double]] = []
        for x in xs {
            var g = [Double](repeating: 0, count: 3 * h), gh = g
            for r in 0..<(3 * h) {
                g[r] = Double(d.biasIH[r]) + (0..<d.inputSize).reduce(0.0) { $0 + Double(d.weightIH[r, $1]) * Double(x[$1]) }
                gh[r] = Double(d.biasHH[r]) + (0..<h).reduce(0.0) { $0 + Double(d.weightHH[r, $1]) * state[$1] }
            }
            var next = state
            for j in 0..<h {
                let r = sig(g[j] + gh[j]), z = sig(g[h + j] + gh[h + j])
                let n = tanh(g[2 * h + j] + r * gh[2 * h + j])
                next[j] = (1 - z) * n + z * state[j]
            }
            state = next
            outs.append(state)
        }
        return outs
    }

    @Test(arguments: [BidirectionalGRU.Axis.rows, .columns], [1, 2])
    func matchesTheGRUEquations(axis: BidirectionalGRU.Axis, workers: Int) {
        let (c, hidden, height, width) = (5, 4, 3, 7)
        let gru = BidirectionalGRU(forward: Self.direction(hidden: hidden, input: c, salt: 1),
                                   backward: Self.direction(hidden: hidden, input: c, salt: 9))
        let x = Tensor(shape: TensorShape(channels: c, height: height, width: width),
                       values: (0..<(c * height * width)).map { Self.value($0, 21) })
        var scratch = WorkerScratch(workers: workers)
        let y = gru.forward(x, along: axis, scratch: &scratch)
        #expect(y.shape == TensorShape(channels: 2 * hidden, height: height, width: width))
        var worst = 0.0
        // Along rows a sequence is a row (steps over x); along columns it is a column (steps over y).
        let (sequences, length) = axis == .rows ? (height, width) : (width, height)
        for s in 0..<sequences {
            func position(_ t: Int) -> (y: Int, x: Int) { axis == .rows ? (s, t) : (t, s) }
            let xs = (0..<length).map { t in (0..<c).map { x[$0, position(t).y, position(t).x] } }
            let fwd = Self.reference(gru.forwardDirection, xs)
            let bwd = Array(Self.reference(gru.backwardDirection, xs.reversed()).reversed())
            for t in 0..<length {
                let (py, px) = position(t)
                for j in 0..<hidden {
                    worst = max(worst, abs(Double(y[j, py, px]) - fwd[t][j]), abs(Double(y[hidden + j, py, px]) - bwd[t][j]))
                }
            }
        }
        #expect(worst < 1e-5, "\(axis), \(workers) worker(s): max abs error \(worst)")
    }
}
