/// A bidirectional GRU over the rows or the columns of a CHW map; output channels [forward; backward].
struct BidirectionalGRU: Sendable {
    enum Axis: Sendable { case rows, columns }

    let forwardDirection: GRUDirection
    let backwardDirection: GRUDirection

    init(forward: GRUDirection, backward: GRUDirection) {
        precondition(forward.hidden == backward.hidden && forward.inputSize == backward.inputSize)
        forwardDirection = forward
        backwardDirection = backward
    }

    init(file: SafetensorsFile, prefix: String, hidden: Int, inputSize: Int) throws(SafetensorsError) {
        forwardDirection = try GRUDirection(file: file, prefix: prefix, suffix: "", hidden: hidden, inputSize: inputSize)
        backwardDirection = try GRUDirection(file: file, prefix: prefix, suffix: "_reverse", hidden: hidden, inputSize: inputSize)
    }

    var hidden: Int { forwardDirection.hidden }

    /// The two directions run side by side on the scratch's workers (one each when there are two).
    /// GRUDirection runs along columns, where a step's sequences are contiguous; along rows the map is
    /// transposed first and the output transposed back (two copies, against a strided gate loop).
    func forward(_ x: Tensor, along axis: Axis, scratch: inout WorkerScratch) -> Tensor {
        let (h, w) = (x.height, x.width)
        let plane = h * w
        let input = axis == .columns ? x : x.spatiallyTransposed()
        // Sequences: the columns of `input` (the original rows along .rows).
        let sequences = input.width
        var out = Tensor(uninitialized: TensorShape(channels: 2 * hidden, height: input.height, width: input.width))
        let directions = [forwardDirection, backwardDirection]
        let buffers = scratch.pointers(count: directions.map { $0.scratchCount(positions: plane, sequences: sequences) }.max()!)
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                ParallelWork.run(tasks: 2, workers: scratch.workers) { d, worker in
                    directions[d].run(input: src.baseAddress!, positions: plane, sequences: sequences, reverse: d == 1,
                                      into: dst.baseAddress! + d * hidden * plane, scratch: buffers[worker].pointer)
                }
            }
        }
        return axis == .columns ? out : out.spatiallyTransposed()
    }
}
