import Imaging
import Inference

extension LabRowIO {
    /// The colour pass streamed over interleaved 8-bit sRGB buffers of `width` pixels per row: each
    /// row is converted to Lab as the render reaches it and its result straight back to bytes, so a
    /// photo costs its bytes (36 MB at 12 MP) instead of two sets of float planes (288 MB).
    /// `destination` may be `source` (the pass reads a row before it writes it).
    ///
    /// Below `strength` 1 each output row is pulled back towards its input, `input + s·(output −
    /// input)` in Lab: the input row's Lab, converted again from the source bytes, is one more
    /// conversion per pixel (~3 ms a megapixel), paid only when asked for.
    static func srgb8(from source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>, width: Int,
                      strength: Float = 1) -> LabRowIO {
        let rows = ByteRows(source: source, destination: destination, width: width)
        return LabRowIO(
            read: { y, row in readSRGB8(row: y, of: rows.source, width: rows.width, into: row) },
            write: { y, row in
                if strength < 1 { blend(row: y, row, towards: rows, strength: strength) }
                LabConverter.labToSRGB8(l: row.l, a: row.a, b: row.b, count: row.count,
                                        into: rows.destination + (y * rows.width + row.x) * 3)
            })
    }

    /// `row` ← input + strength · (row − input), the input read from the source bytes.
    private static func blend(row y: Int, _ row: LabRow, towards rows: ByteRows, strength: Float) {
        let n = row.count
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * n) { input in
            let l = input.baseAddress!, a = l + n, b = l + 2 * n
            LabConverter.srgb8ToLab(rows.source + (y * rows.width + row.x) * 3, l: l, a: a, b: b, count: n)
            for i in 0..<n {
                row.l[i] = l[i] + strength * (row.l[i] - l[i])
                row.a[i] = a[i] + strength * (row.a[i] - a[i])
                row.b[i] = b[i] + strength * (row.b[i] - b[i])
            }
        }
    }
}

extension LabRowIO {
    /// Row y (the columns `row` covers) of interleaved 8-bit sRGB `width` pixels wide, as Lab.
    static func readSRGB8(row y: Int, of source: UnsafePointer<UInt8>, width: Int, into row: LabRow) {
        LabConverter.srgb8ToLab(source + (y * width + row.x) * 3, l: row.l, a: row.a, b: row.b, count: row.count)
    }
}

/// The two byte buffers of one streamed render. Unchecked Sendable: the render's bands touch
/// disjoint rows of `destination`, only read `source`, and the caller keeps both alive until the
/// render (which waits for every band) returns.
private struct ByteRows: @unchecked Sendable {
    let source: UnsafePointer<UInt8>
    let destination: UnsafeMutablePointer<UInt8>
    let width: Int
}
