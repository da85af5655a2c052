#if canImport(Glibc)
import Glibc
#endif

/// The first render of a cached photo, kept so that a re-render with a repainted label map
/// renders only the rows whose labels changed and copies the rest: the bytes are those of a full
/// render (a row's output depends on its own pixels and labels only), at the cost of the rows
/// painted. Four bytes per pixel (48 MB at 12 MP), counted in the cache's byte budget.
struct ReferenceRender: Sendable {
    /// Preset index per pixel, row-major.
    let labels: [UInt8]
    /// The rendered RGB8 photo, before JPEG encoding.
    let pixels: [UInt8]

    var byteCount: Int { labels.count + pixels.count }

    /// The rows of a `width`-pixel-wide photo where `newLabels` differ from these labels, merged
    /// into ranges.
    func changedRows(_ newLabels: [UInt8], width: Int) -> [Range<Int>] {
        precondition(newLabels.count == labels.count && width > 0)
        var ranges: [Range<Int>] = []
        labels.withUnsafeBufferPointer { old in
            newLabels.withUnsafeBufferPointer { new in
                let height = old.count / width
                var y = 0
                while y < height {
                    let o = old.baseAddress! + y * width, n = new.baseAddress! + y * width
                    if memcmp(o, n, width) != 0 {
                        if let last = ranges.last, last.upperBound == y {
                            ranges[ranges.count - 1] = last.lowerBound..<(y + 1)
                        } else {
                            ranges.append(y..<(y + 1))
                        }
                    }
                    y += 1
                }
            }
        }
        return ranges
    }
}
