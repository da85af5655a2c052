/// The hypercolumn L2 normalisation (paper.md, Network.3): every scale's feature vector is divided by
/// its norm over the channels at each position, so scales of different magnitude contribute alike.
enum FeatureNormalisation {
    static let eps: Float = 1e-6

    /// x / max(‖x‖, eps) over the channels at each position, as a new CHW tensor.
    static func normalised(_ f: Tensor) -> Tensor {
        var out = f
        let (c, h, w) = (f.channels, f.height, f.width)
        let p = h * w
        out.withUnsafeMutableBufferPointer { x in
            let base = x.baseAddress!
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
        }
        return out
    }
}
