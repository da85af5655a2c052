/// One row of Lab values handed between a streamed colour pass and its caller: `count` floats in
/// each of the L, a and b buffers, for the photo's columns `x ..< x + count` (the whole row unless
/// a re-render covers only part of it). The buffers belong to the render; they are valid during the
/// call.
public struct LabRow {
    public let l: UnsafeMutablePointer<Float>
    public let a: UnsafeMutablePointer<Float>
    public let b: UnsafeMutablePointer<Float>
    public let count: Int
    /// The photo column of the first value.
    public let x: Int

    /// The columns `columns` of a row whose buffers start at column 0.
    func span(_ columns: Range<Int>) -> LabRow {
        let x0 = columns.lowerBound - x
        return LabRow(l: l + x0, a: a + x0, b: b + x0, count: columns.count, x: columns.lowerBound)
    }
}

/// Where a streamed colour pass reads its input rows (or the part of a row that `LabRow.x` and
/// `count` name) and leaves its output rows. With it the photo
/// never has to exist at full resolution as Lab planes (144 MB at 12 MP, and as much again for the
/// result): the caller converts each row from and to whatever it keeps (8-bit sRGB) as the pass
/// reaches it, in buffers that stay in cache.
///
/// The render calls both closures from several threads at once, each thread for its own rows; a row
/// is read before its output is written, and the guided fit reads rows (of a point-sampled subset)
/// before any output is written, so `write` may store over what `read` reads.
public struct LabRowIO: Sendable {
    /// Fills `row` with the Lab colours of input row `y`.
    public let read: @Sendable (_ y: Int, _ row: LabRow) -> Void
    /// Takes the adjusted Lab colours of row `y`; the buffers are the callee's to overwrite (an
    /// in-place conversion) until it returns.
    public let write: @Sendable (_ y: Int, _ row: LabRow) -> Void

    public init(read: @escaping @Sendable (Int, LabRow) -> Void, write: @escaping @Sendable (Int, LabRow) -> Void) {
        self.read = read
        self.write = write
    }

    /// Rows of H×W Lab planes `source`, results into the planes `destination` (may be `source`).
    static func planes(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
                       height: Int, width: Int) -> LabRowIO {
        let src = SendablePointer(pointer: UnsafeMutablePointer(mutating: source))
        let dst = SendablePointer(pointer: destination)
        let plane = height * width
        return LabRowIO(
            read: { y, row in
                let i = y * width + row.x
                row.l.update(from: src.pointer + i, count: row.count)
                row.a.update(from: src.pointer + plane + i, count: row.count)
                row.b.update(from: src.pointer + 2 * plane + i, count: row.count)
            },
            write: { y, row in
                let i = y * width + row.x
                (dst.pointer + i).update(from: row.l, count: row.count)
                (dst.pointer + plane + i).update(from: row.a, count: row.count)
                (dst.pointer + 2 * plane + i).update(from: row.b, count: row.count)
            })
    }
}

/// The two row buffers (input and output, 3 × width floats each) one band of a streamed render owns.
struct LabRowBuffers {
    private let storage: AlignedBuffer
    let width: Int

    init(width: Int) {
        // Each row's planes start on a 64-byte boundary.
        let stride = (width + 15) & ~15
        storage = AlignedBuffer(count: 6 * stride, zeroed: false)
        self.width = width
    }

    private var stride: Int { (width + 15) & ~15 }
    var input: LabRow { row(0) }
    var output: LabRow { row(3) }

    private func row(_ first: Int) -> LabRow {
        let p = storage.pointer
        return LabRow(l: p + first * stride, a: p + (first + 1) * stride, b: p + (first + 2) * stride, count: width, x: 0)
    }
}
