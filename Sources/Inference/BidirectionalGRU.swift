/// A bidirectional GRU over the rows or the columns of a CHW map; output channels [forward; backward].
struct BidirectionalGRU: Sendable {
    enum Axis: Sendable { case rows, columns }

    let forwardDirection: GRUDirection
    let backwardDirection: GRUDirection

    init(file: SafetensorsFile, prefix: String, hidden: Int, inputSize: Int) throws(SafetensorsError) {
        forwardDirection = try GRUDirection(file: file, prefix: prefix, suffix: "", hidden: hidden, inputSize: inputSize)
        backwardDirection = try GRUDirection(file: file, prefix: prefix, suffix: "_reverse", hidden: hidden, inputSize: inputSize)
    }

    var hidden: Int { forwardDirection.hidden }

    func forward(_ x: Tensor, along axis: Axis, scratch: inout ScratchBuffer) -> Tensor {
        let (h, w) = (x.height, x.width)
        var out = Tensor(channels: 2 * hidden, height: h, width: w)
        // Rows: sequence = row i (stride w), step = column j (stride 1); columns: the transpose.
        let (seqs, len, ss, ts) = axis == .rows ? (h, w, w, 1) : (w, h, 1, w)
        forwardDirection.run(input: x, sequences: seqs, length: len, seqStride: ss, stepStride: ts, reverse: false,
                             into: &out, channelOffset: 0, scratch: &scratch)
        backwardDirection.run(input: x, sequences: seqs, length: len, seqStride: ss, stepStride: ts, reverse: true,
                              into: &out, channelOffset: hidden, scratch: &scratch)
        return out
    }
}
