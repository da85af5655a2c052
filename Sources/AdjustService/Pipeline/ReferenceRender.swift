#if canImport(Glibc)
import Glibc
#endif
import Imaging

/// The first render of a cached photo, kept so that a re-render with a repainted label map
/// renders only the pixels whose labels changed and re-encodes only the JPEG segments they touch,
/// copying the rest: the bytes are those of a full render and encode (a pixel's output depends on
/// its own colour and label only; `SegmentedJPEG`'s segments on their own pixels only), at the cost
/// of what was painted. Four bytes per pixel plus the JPEG (~52 MB at 12 MP), counted in the
/// cache's byte budget.
struct ReferenceRender: Sendable {
    /// Preset index per pixel, row-major.
    let labels: [UInt8]
    /// The rendered RGB8 photo, before JPEG encoding.
    let pixels: [UInt8]
    /// Its JPEG, cut into segments that can be re-encoded alone; nil when the first answer was
    /// in another format.
    let jpeg: SegmentedJPEG?
    /// The strength it was rendered at: its pixels (and alternatives) stand for re-renders at that
    /// strength only.
    let strength: Double
    /// Every pixel under the other presets, once made in idle time: a re-render then picks pixels
    /// instead of rendering them.
    var alternatives: PresetAlternatives? = nil

    var byteCount: Int { labels.count + pixels.count + (jpeg?.bytes.count ?? 0) + (alternatives?.byteCount ?? 0) }

    /// A photo-sized RGB8 buffer holding this render's pixels in `regions` except where `rendered`
    /// (one column range per row) will be written, and nothing defined elsewhere: all a re-render
    /// reads of its output is what it renders plus the JPEG segments around it. Copying (and
    /// faulting in) only the segments' margins spares nearly all of the 36 MB a 12 MP copy costs.
    func canvas(copying regions: [(x: Range<Int>, y: Range<Int>)], except rendered: [Range<Int>], width: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: pixels.count) { buffer, initialized in
            pixels.withUnsafeBufferPointer { src in
                func copy(_ y: Int, _ xs: Range<Int>) {
                    guard !xs.isEmpty else { return }
                    let at = (y * width + xs.lowerBound) * 3
                    (buffer.baseAddress! + at).update(from: src.baseAddress! + at, count: xs.count * 3)
                }
                for (xs, ys) in regions {
                    for y in ys {
                        let span = rendered[y].clamped(to: xs)
                        if span.isEmpty {
                            copy(y, xs)
                        } else {
                            copy(y, xs.lowerBound..<span.lowerBound)
                            copy(y, span.upperBound..<xs.upperBound)
                        }
                    }
                }
            }
            // Unset bytes are never read (see above); the encoder only reads `regions`.
            initialized = pixels.count
        }
    }

    /// Where `newLabels` differ from these labels in a `width`-pixel-wide photo: the rows that
    /// differ, merged into ranges, and for every row the columns from its first to its last
    /// difference (empty where the row is the same).
    func changes(_ newLabels: [UInt8], width: Int) -> (rows: [Range<Int>], columns: [Range<Int>]) {
        precondition(newLabels.count == labels.count && width > 0)
        let height = labels.count / width
        var rows: [Range<Int>] = []
        var columns = [Range<Int>](repeating: 0..<0, count: height)
        labels.withUnsafeBufferPointer { old in
            newLabels.withUnsafeBufferPointer { new in
                for y in 0..<height {
                    let o = old.baseAddress! + y * width, n = new.baseAddress! + y * width
                    // memcmp first: most rows of a small repaint are equal, and it is the fastest
                    // way to say so.
                    guard memcmp(o, n, width) != 0 else { continue }
                    columns[y] = Self.firstDifference(o, n, width)..<(Self.lastDifference(o, n, width) + 1)
                    if let last = rows.last, last.upperBound == y {
                        rows[rows.count - 1] = last.lowerBound..<(y + 1)
                    } else {
                        rows.append(y..<(y + 1))
                    }
                }
            }
        }
        return (rows, columns)
    }

    /// The first index where the rows differ (they do somewhere), eight bytes at a time.
    private static func firstDifference(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var x = 0
        while x + 8 <= count {
            let d = UnsafeRawPointer(a + x).loadUnaligned(as: UInt64.self) ^ UnsafeRawPointer(b + x).loadUnaligned(as: UInt64.self)
            if d != 0 { return x + d.trailingZeroBitCount / 8 }  // little-endian: the lowest byte first
            x += 8
        }
        while a[x] == b[x] { x += 1 }
        return x
    }

    /// The last index where the rows differ (they do somewhere), eight bytes at a time.
    private static func lastDifference(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var end = count
        while end >= 8 {
            let x = end - 8
            let d = UnsafeRawPointer(a + x).loadUnaligned(as: UInt64.self) ^ UnsafeRawPointer(b + x).loadUnaligned(as: UInt64.self)
            if d != 0 { return x + 7 - d.leadingZeroBitCount / 8 }
            end = x
        }
        var x = end - 1
        while a[x] == b[x] { x -= 1 }
        return x
    }
}
