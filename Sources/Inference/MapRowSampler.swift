/// The per-pixel outputs of the folded scale pieces (K map logits, or d pre-activations of V·y in
/// context mode) on an H×W grid, one row at a time, channels-last: the four scales are bilinearly
/// sampled at their own resolution and summed with the folded bias (spec Network.3).
struct MapRowSampler {
    let samplers: [PieceSampler]
    let bias: [Float]
    let width: Int

    init(_ context: ContextResult, height: Int, width: Int) {
        samplers = context.scalePieces.map { PieceSampler($0, height: height, width: width) }
        bias = context.scaleBias
        self.width = width
    }

    var channels: Int { bias.count }
    /// Floats of row buffer `values(row:rowBuffers:into:)` needs.
    var rowBufferCount: Int { samplers.reduce(0) { $0 + $1.rowBufferCount } }

    /// out[x·channels + c] for output row y.
    func values(row y: Int, rowBuffers: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let kc = channels
        var off = 0
        for s in samplers { s.verticalRow(y, into: rowBuffers + off); off += s.rowBufferCount }
        bias.withUnsafeBufferPointer { b in
            for x in 0..<width {
                let v = out + x * kc
                for j in 0..<kc { v[j] = b[j] }
                off = 0
                for s in samplers { s.horizontal(x, row: rowBuffers + off, into: v, accumulate: true); off += s.rowBufferCount }
            }
        }
    }

    /// The argmax (first maximum, as torch.argmax) of each pixel's logits in `logits` (width × K).
    static func argmax(_ logits: UnsafePointer<Float>, count k: Int, width: Int, into labels: UnsafeMutablePointer<UInt8>) {
        for x in 0..<width {
            let v = logits + x * k
            var best = 0
            for kk in 1..<max(k, 1) where v[kk] > v[best] { best = kk }
            labels[x] = UInt8(best)
        }
    }
}
