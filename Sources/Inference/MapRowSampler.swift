import CBLAS

/// The per-pixel outputs of the folded scale pieces (K map logits, or d pre-activations of V·y in
/// context mode) on an H×W grid, one row at a time, channels-last: the four scales are bilinearly
/// sampled at their own resolution and summed with the folded bias (spec Network.3). The horizontal
/// pass and the sum run in one C kernel: at 12 MP this is the whole cost of the full-resolution map.
struct MapRowSampler {
    let samplers: [PieceSampler]
    let bias: [Float]
    let width: Int

    private let taps: PieceTapTable

    init(_ context: ContextResult, height: Int, width: Int) {
        samplers = context.scalePieces.map { PieceSampler($0, height: height, width: width) }
        bias = context.scaleBias
        self.width = width
        taps = PieceTapTable(samplers.map(\.columns), width: width)
    }

    var channels: Int { bias.count }
    /// Floats of row buffer `values(row:rowBuffers:into:)` needs.
    var rowBufferCount: Int { samplers.reduce(0) { $0 + $1.rowBufferCount } }

    /// out[x·channels + c] for output row y.
    func values(row y: Int, rowBuffers: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        var off = 0
        for (i, s) in samplers.enumerated() {
            s.verticalRow(y, into: rowBuffers + off)
            taps.rows[i] = UnsafePointer(rowBuffers + off)
            off += s.rowBufferCount
        }
        bias.withUnsafeBufferPointer { b in
            sa_sample_pieces_row(Int32(width), Int32(channels), Int32(samplers.count), taps.rows,
                                 taps.lower, taps.upper, taps.weight, b.baseAddress, out)
        }
    }

    /// The argmax (first maximum, as torch.argmax) of each pixel's logits in `logits` (width × K).
    static func argmax(_ logits: UnsafePointer<Float>, count k: Int, width: Int, into labels: UnsafeMutablePointer<UInt8>) {
        sa_argmax_rows(Int32(width), Int32(k), logits, labels)
    }
}
