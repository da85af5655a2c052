/// Which axis the hypercolumn L2 normalisation runs over.
///
/// The spec (paper.md, Network.3) normalises every scale over its channels at each position; that is
/// the engine's default. The Python reference as of commit bfdf8d8 calls `l2n(x)` (dim = 1) on
/// unbatched C×h×w maps, which normalises over the *height* axis instead, and its parity fixtures carry
/// that. `.overHeight` reproduces it so the rest of the pipeline can be checked against those
/// fixtures, and so a head trained by that code can be run faithfully until the reference is fixed.
enum FeatureNormalisation: Sendable {
    case overChannels
    case overHeight

    static let eps: Float = 1e-6

    /// x / max(‖x‖, eps) along the chosen axis, as a new CHW tensor.
    func normalised(_ f: Tensor) -> Tensor {
        var out = f
        let (c, h, w) = (f.channels, f.height, f.width)
        let p = h * w
        out.withUnsafeMutableBufferPointer { x in
            let base = x.baseAddress!
            switch self {
            case .overChannels:
                var inv = [Float](repeating: 0, count: p)
                inv.withUnsafeMutableBufferPointer { n in
                    for k in 0..<c {
                        let row = base + k * p
                        for i in 0..<p { n[i] += row[i] * row[i] }
                    }
                    for i in 0..<p { n[i] = 1 / max(n[i].squareRoot(), Self.eps) }
                    for k in 0..<c {
                        let row = base + k * p
                        for i in 0..<p { row[i] *= n[i] }
                    }
                }
            case .overHeight:
                var inv = [Float](repeating: 0, count: w)
                inv.withUnsafeMutableBufferPointer { n in
                    for k in 0..<c {
                        let plane = base + k * p
                        for j in 0..<w { n[j] = 0 }
                        for y in 0..<h { for j in 0..<w { n[j] += plane[y * w + j] * plane[y * w + j] } }
                        for j in 0..<w { n[j] = 1 / max(n[j].squareRoot(), Self.eps) }
                        for y in 0..<h { for j in 0..<w { plane[y * w + j] *= n[j] } }
                    }
                }
            }
        }
        return out
    }
}
