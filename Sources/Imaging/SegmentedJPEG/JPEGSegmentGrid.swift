/// How `SegmentedJPEG` cuts a photo: MCUs (16×16 pixels at 4:2:0, 8×8 at 4:4:4) in rows, each MCU
/// row cut into `segmentsPerRow` segments of `interval` MCUs. The interval divides the MCUs per row,
/// so every segment is a rectangle of whole MCUs and its entropy-coded data (a restart interval: DC
/// prediction starts afresh, the bits are padded to a byte) depends on nothing outside it.
struct JPEGSegmentGrid: Sendable, Equatable {
    let width: Int
    let height: Int
    let mcuWidth: Int
    let mcuHeight: Int
    let mcusPerRow: Int
    let mcuRows: Int
    /// MCUs per segment (the restart interval).
    let interval: Int

    /// Segments near `targetWidth` pixels wide: the largest divisor of the MCUs per row that is
    /// at most that wide. When the best divisor is far narrower (a prime MCU count), whole MCU rows
    /// instead: markers every MCU or two would cost more bytes than they save encode time.
    init(width: Int, height: Int, chromaSubsampling: ChromaSubsampling, targetWidth: Int = 256) {
        precondition(width > 0 && height > 0)
        let mcu = chromaSubsampling == .yuv420 ? 16 : 8
        self.width = width
        self.height = height
        mcuWidth = mcu
        mcuHeight = mcu
        let across = (width + mcu - 1) / mcu
        mcusPerRow = across
        mcuRows = (height + mcu - 1) / mcu
        let target = min(max(1, targetWidth / mcu), across)
        let divisor = (1...target).last { across % $0 == 0 } ?? 1
        interval = divisor * 4 >= target ? divisor : across
    }

    var segmentsPerRow: Int { mcusPerRow / interval }
    var segmentCount: Int { segmentsPerRow * mcuRows }
    /// Pixel width of a segment (the last of a row may be cut by the photo's edge).
    var segmentWidth: Int { interval * mcuWidth }

    /// The pixel rectangle of segments `segments` of MCU rows `rows`.
    func pixels(rows: Range<Int>, segments: ClosedRange<Int>) -> (x: Range<Int>, y: Range<Int>) {
        let x0 = segments.lowerBound * segmentWidth, x1 = min(width, (segments.upperBound + 1) * segmentWidth)
        let y0 = rows.lowerBound * mcuHeight, y1 = min(height, rows.upperBound * mcuHeight)
        return (x0..<x1, y0..<y1)
    }

    /// For each MCU row, the segments that the changed columns of its pixel rows touch (nil: none).
    /// `changedColumns` holds one range per pixel row (empty: the row is unchanged).
    func touchedSegments(_ changedColumns: [Range<Int>]) -> [ClosedRange<Int>?] {
        precondition(changedColumns.count == height)
        return (0..<mcuRows).map { r in
            var lo = Int.max, hi = Int.min
            for y in (r * mcuHeight)..<min(height, (r + 1) * mcuHeight) where !changedColumns[y].isEmpty {
                lo = min(lo, changedColumns[y].lowerBound)
                hi = max(hi, changedColumns[y].upperBound)
            }
            guard lo < hi else { return nil }
            let first = max(0, lo) / segmentWidth, last = (min(hi, width) - 1) / segmentWidth
            return first...last
        }
    }
}
