import Dispatch
import Locks

/// A baseline JPEG of an RGB photo whose scan is cut by restart markers into segments of whole
/// MCUs that tile every MCU row (`JPEGSegmentGrid`), with the byte range of each segment kept.
///
/// Why: in the edit-and-re-render loop most of a 12 MP photo does not change, and encoding it again
/// (~60 ms, one thread) is most of what a re-render costs. A segment's entropy-coded data depends
/// only on its own pixels — the restart resets the DC prediction and pads to a byte, the Huffman
/// tables are the standard ones (no optimised tables fitted to the whole photo), and chroma is
/// averaged within 2×2 blocks that never straddle an MCU edge — so `reencoding` encodes just the
/// rectangles of segments that changed, on all threads, and splices their bytes between the old
/// ones with the restart markers renumbered. The file equals, byte for byte, a full encode of the
/// new pixels (tested). The markers cost about 0.5 % of the file at 12 MP; every decoder reads them.
public struct SegmentedJPEG: Sendable {
    /// The complete file.
    public let bytes: [UInt8]
    public let quality: Int
    public let chromaSubsampling: ChromaSubsampling
    let grid: JPEGSegmentGrid
    /// Each segment's entropy-coded bytes in `bytes` (without its marker), in scan order.
    let segments: [Range<Int>]

    public var width: Int { grid.width }
    public var height: Int { grid.height }
    public var segmentCount: Int { grid.segmentCount }

    /// A full encode of `image`.
    public init(encoding image: RGBImage, quality: Int, chromaSubsampling: ChromaSubsampling = .yuv420,
                iccProfile: [UInt8]? = nil) throws(ImagingError) {
        guard image.width > 0, image.height > 0 else {
            throw .invalidArgument("JPEG cannot hold \(image.width)×\(image.height) pixels")
        }
        let grid = JPEGSegmentGrid(width: image.width, height: image.height, chromaSubsampling: chromaSubsampling)
        let encoder = JPEGEncoder(options: Self.options(quality: quality, chromaSubsampling: chromaSubsampling, grid: grid))
        let bytes = try encoder.encode(image, iccProfile: iccProfile)
        let parsed = try JPEGEntropySegments(parsing: bytes)
        guard parsed.ranges.count == grid.segmentCount else {
            throw .encodingFailed(format: .jpeg, detail: "segmented JPEG: \(parsed.ranges.count) restart intervals, \(grid.segmentCount) expected")
        }
        self.init(bytes: bytes, quality: quality, chromaSubsampling: chromaSubsampling, grid: grid, segments: parsed.ranges)
    }

    private init(bytes: [UInt8], quality: Int, chromaSubsampling: ChromaSubsampling, grid: JPEGSegmentGrid,
                 segments: [Range<Int>]) {
        self.bytes = bytes
        self.quality = quality
        self.chromaSubsampling = chromaSubsampling
        self.grid = grid
        self.segments = segments
    }

    /// The encode of `image` — these pixels but where `changedColumns` says otherwise: one range
    /// per pixel row, the columns that may differ (empty: the row is as before) — re-encoding only
    /// the segments those columns touch, on up to `threads` threads.
    public func reencoding(_ image: RGBImage, changedColumns: [Range<Int>], threads: Int = 1) throws(ImagingError) -> SegmentedJPEG {
        guard image.width == width, image.height == height, changedColumns.count == height else {
            throw .invalidArgument("a re-encode needs a \(width)×\(height) image and one column range per row")
        }
        let pieces = Self.pieces(grid.touchedSegments(changedColumns), maxPieces: 2 * max(1, threads))
        guard !pieces.isEmpty else { return self }

        // Each piece is a rectangle of segments encoded as a JPEG of its own with the same settings;
        // its restart intervals are the segments' new bytes.
        let encoder = JPEGEncoder(options: Self.options(quality: quality, chromaSubsampling: chromaSubsampling, grid: grid))
        let stride = width * 3
        let encoded = LockedValue<[Int: Result<[UInt8], ImagingError>]>([:])
        image.pixels.withUnsafeBufferPointer { px in
            let base = SendableBytes(pointer: px.baseAddress!)
            let encode: @Sendable (Int) -> Void = { worker in
                for index in Swift.stride(from: worker, to: pieces.count, by: max(1, threads)) {
                    let rect = self.grid.pixels(rows: pieces[index].rows, segments: pieces[index].segments)
                    let result: Result<[UInt8], ImagingError>
                    do throws(ImagingError) {
                        result = .success(try encoder.encode(
                            base.pointer + rect.y.lowerBound * stride + rect.x.lowerBound * 3,
                            width: rect.x.count, height: rect.y.count, stride: stride))
                    } catch {
                        result = .failure(error)
                    }
                    encoded.withLock { $0[index] = result }
                }
            }
            let workers = min(max(1, threads), pieces.count)
            if workers == 1 { encode(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: encode) }
        }

        // Which piece's bytes replace each touched segment.
        var replacement = [(piece: Int, range: Range<Int>)?](repeating: nil, count: grid.segmentCount)
        var pieceBytes: [[UInt8]] = []
        pieceBytes.reserveCapacity(pieces.count)
        let results = encoded.withLock { $0 }
        for (index, piece) in pieces.enumerated() {
            guard let result = results[index] else { throw .encodingFailed(format: .jpeg, detail: "segmented JPEG: a piece was not encoded") }
            let bytes = try result.get()
            let parsed = try JPEGEntropySegments(parsing: bytes)
            let across = piece.segments.count
            guard parsed.ranges.count == piece.rows.count * across else {
                throw .encodingFailed(format: .jpeg, detail: "segmented JPEG: a piece has \(parsed.ranges.count) restart intervals, \(piece.rows.count * across) expected")
            }
            for (r, row) in piece.rows.enumerated() {
                for (s, segment) in piece.segments.enumerated() {
                    replacement[row * grid.segmentsPerRow + segment] = (pieceBytes.count, parsed.ranges[r * across + s])
                }
            }
            pieceBytes.append(bytes)
        }
        return splicing(replacement, from: pieceBytes)
    }

    /// The file with the segments that `replacement` names taken from `pieceBytes`, the rest from
    /// this one; markers RST0…RST7 in turn between the segments, EOI after the last.
    private func splicing(_ replacement: [(piece: Int, range: Range<Int>)?], from pieceBytes: [[UInt8]]) -> SegmentedJPEG {
        let headerCount = segments[0].lowerBound
        var total = headerCount + 2 * segments.count
        for (i, r) in replacement.enumerated() { total += r?.range.count ?? segments[i].count }
        var out = [UInt8]()
        out.reserveCapacity(total)
        out.append(contentsOf: bytes[0..<headerCount])
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(segments.count)
        for i in segments.indices {
            let start = out.count
            if let r = replacement[i] {
                out.append(contentsOf: pieceBytes[r.piece][r.range])
            } else {
                out.append(contentsOf: bytes[segments[i]])
            }
            ranges.append(start..<out.count)
            out.append(0xFF)
            out.append(i == segments.count - 1 ? 0xD9 : 0xD0 + UInt8(i & 7))
        }
        return SegmentedJPEG(bytes: out, quality: quality, chromaSubsampling: chromaSubsampling, grid: grid, segments: ranges)
    }

    /// The pixel rectangles `reencoding` with these `changedColumns` encodes again: all it reads of
    /// the new image (the rest of it may be left unset).
    public func reencodedRegions(changedColumns: [Range<Int>]) -> [(x: Range<Int>, y: Range<Int>)] {
        precondition(changedColumns.count == height)
        return Self.pieces(grid.touchedSegments(changedColumns), maxPieces: 1).map { grid.pixels(rows: $0.rows, segments: $0.segments) }
    }

    /// Runs of MCU rows that touch the same segments, cut so there are at least `maxPieces` (when
    /// the rows allow) for the threads to share.
    static func pieces(_ touched: [ClosedRange<Int>?], maxPieces: Int) -> [(rows: Range<Int>, segments: ClosedRange<Int>)] {
        var runs: [(rows: Range<Int>, segments: ClosedRange<Int>)] = []
        for (row, segments) in touched.enumerated() {
            guard let segments else { continue }
            if let last = runs.last, last.rows.upperBound == row, last.segments == segments {
                runs[runs.count - 1].rows = last.rows.lowerBound..<(row + 1)
            } else {
                runs.append((row..<(row + 1), segments))
            }
        }
        let rows = runs.reduce(0) { $0 + $1.rows.count }
        let longest = max(1, (rows + maxPieces - 1) / maxPieces)
        return runs.flatMap { run in
            Swift.stride(from: run.rows.lowerBound, to: run.rows.upperBound, by: longest).map { start in
                (start..<min(run.rows.upperBound, start + longest), run.segments)
            }
        }
    }

    static func options(quality: Int, chromaSubsampling: ChromaSubsampling, grid: JPEGSegmentGrid) -> JPEGEncodeOptions {
        // Baseline with the standard Huffman tables: the segments of separate encodes must agree.
        JPEGEncodeOptions(quality: quality, chromaSubsampling: chromaSubsampling, progressive: false,
                          optimizeCoding: false, restartInterval: grid.interval)
    }
}

/// The re-encoded image's bytes, read by the encode threads while `reencoding` waits for them all.
private struct SendableBytes: @unchecked Sendable {
    let pointer: UnsafePointer<UInt8>
}
