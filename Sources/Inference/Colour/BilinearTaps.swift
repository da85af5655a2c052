/// Source taps of bilinear resampling along one axis, PyTorch `align_corners=False` semantics
/// (grid_sample with border padding, equivalently interpolate(mode="bilinear")): destination pixel i
/// of n samples source coordinate (i + 0.5)·m/n − 0.5, clamped to [0, m − 1].
/// The engine keeps its own copy of this rule: Inference does not depend on Imaging.
struct BilinearTaps: Sendable {
    let lower: [Int32]
    let upper: [Int32]
    let weight: [Float]  // weight of `upper`; `lower` gets 1 − weight

    init(source m: Int, destination n: Int) {
        precondition(m > 0 && n > 0)
        var lo = [Int32](repeating: 0, count: n), hi = lo
        var w = [Float](repeating: 0, count: n)
        let scale = Double(m) / Double(n)
        for i in 0..<n {
            let s = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(m - 1))
            let i0 = Int(s.rounded(.down))
            lo[i] = Int32(i0)
            hi[i] = Int32(min(i0 + 1, m - 1))
            w[i] = Float(s - Double(i0))
        }
        lower = lo
        upper = hi
        weight = w
    }

    var count: Int { weight.count }
}
