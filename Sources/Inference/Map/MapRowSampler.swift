import CEngineKernels

/// The per-pixel outputs of the folded scale pieces (K map logits, or d pre-activations of V·y in
/// context mode) on an H×W grid, one row at a time, channels-last: the four scales are bilinearly
/// sampled at their own resolution and summed with the folded bias (spec Network.3). The horizontal
/// pass and the sum run in one C kernel: at 12 MP this is the whole cost of the full-resolution map.
struct MapRowSampler {
    let samplers: [PieceSampler]
    let bias: [Float]
    let width: Int

    private let taps: PieceTapTable
    /// K = 2: starts of the column segments over which every piece's taps are fixed and its weight
    /// linear in x (then width), for `labels(row:)`.
    let segmentStarts: [Int32]

    init(_ context: ContextResult, height: Int, width: Int) {
        samplers = context.scalePieces.map { PieceSampler($0, height: height, width: width) }
        bias = context.scaleBias
        self.width = width
        taps = PieceTapTable(samplers.map(\.columns), width: width)
        segmentStarts = bias.count == 2 ? Self.segments(samplers.map(\.columns), width: width) : []
    }

    /// A segment starts where any piece's taps change, or where its weight stops being linear
    /// (the clamped borders, where the weight is constant).
    static func segments(_ columns: [BilinearTaps], width: Int) -> [Int32] {
        var starts: [Int32] = [0]
        for x in 1..<max(1, width) {
            let breaks = columns.contains { t in
                if t.lower[x] != t.lower[x - 1] || t.upper[x] != t.upper[x - 1] { return true }
                guard x + 1 < width else { return false }
                let curvature = (t.weight[x + 1] - t.weight[x]) - (t.weight[x] - t.weight[x - 1])
                return abs(curvature) > 1e-4
            }
            if breaks { starts.append(Int32(x)) }
        }
        starts.append(Int32(width))
        return starts
    }

    /// The K = 2 labels of output row y (first maximum, as torch.argmax): the same as `values` then
    /// `argmax`, evaluated only where a segment's ends do not agree clearly.
    func labels(row y: Int, rowBuffers: UnsafeMutablePointer<Float>, into labels: UnsafeMutablePointer<UInt8>) {
        precondition(channels == 2, "segment labels are for two presets")
        interpolateRows(y, into: rowBuffers)
        bias.withUnsafeBufferPointer { b in
            segmentStarts.withUnsafeBufferPointer { starts in
                sa_argmax2_segments_row(Int32(width), Int32(samplers.count), taps.rows, taps.lower, taps.upper,
                                        taps.weight, b.baseAddress, Int32(starts.count - 1), starts.baseAddress,
                                        Self.labelMargin, labels)
            }
        }
    }

    /// Each piece's source rows interpolated to output row y, into `rowBuffers`, and the kernels'
    /// row table pointed at them.
    private func interpolateRows(_ y: Int, into rowBuffers: UnsafeMutablePointer<Float>) {
        var off = 0
        for (i, s) in samplers.enumerated() {
            s.verticalRow(y, into: rowBuffers + off)
            taps.rows[i] = UnsafePointer(rowBuffers + off)
            off += s.rowBufferCount
        }
    }

    /// Logit differences this close to zero at a segment's end are evaluated per pixel: far above
    /// the float error of summing four lerps (~1e-6 for logits of order 10).
    static let labelMargin: Float = 1e-3

    var channels: Int { bias.count }
    /// Floats of row buffer `values(row:rowBuffers:into:)` needs.
    var rowBufferCount: Int { samplers.reduce(0) { $0 + $1.rowBufferCount } }

    /// out[x·channels + c] for output row y.
    func values(row y: Int, rowBuffers: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        interpolateRows(y, into: rowBuffers)
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
