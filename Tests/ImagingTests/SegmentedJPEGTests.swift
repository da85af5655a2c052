@testable import Imaging
import Testing

@Suite struct SegmentedJPEGTests {
    /// A photo-like image: smooth gradients plus seeded noise, so every block has AC energy.
    static func image(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var state = seed
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let noise = Int(state >> 59)  // 0..<32
                let i = (y * width + x) * 3
                pixels[i] = UInt8(truncatingIfNeeded: (x * 255 / max(1, width - 1) + noise) / 2 + 40)
                pixels[i + 1] = UInt8(truncatingIfNeeded: (y * 255 / max(1, height - 1) + noise) / 2 + 30)
                pixels[i + 2] = UInt8(truncatingIfNeeded: ((x ^ y) & 0xFF) / 2 + noise)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// `image` with the pixels of `rect` replaced by another image's.
    static func repainted(_ image: RGBImage, x: Range<Int>, y: Range<Int>, seed: UInt64) -> RGBImage {
        let other = Self.image(width: image.width, height: image.height, seed: seed)
        var pixels = image.pixels
        for row in y {
            for col in x {
                let i = (row * image.width + col) * 3
                for c in 0..<3 { pixels[i + c] = 255 - other.pixels[i + c] }
            }
        }
        return RGBImage(width: image.width, height: image.height, pixels: pixels)
    }

    static func columns(height: Int, x: Range<Int>, y: Range<Int>) -> [Range<Int>] {
        (0..<height).map { y.contains($0) ? x : 0..<0 }
    }

    // Sizes: MCU counts with many divisors, a prime MCU count per row (whole-row segments), edges
    // that cut the last MCU in both directions, a single MCU.
    @Test(arguments: [(640, 480), (403, 117), (16 * 37, 50), (13, 9), (1000, 333)], [ChromaSubsampling.yuv420, .yuv444])
    func reencodingEqualsAFullEncode(_ size: (Int, Int), _ chroma: ChromaSubsampling) throws {
        let (w, h) = size
        let before = Self.image(width: w, height: h, seed: 1)
        let first = try SegmentedJPEG(encoding: before, quality: 87, chromaSubsampling: chroma)
        // Rectangles in the middle, at the right and bottom edges, one pixel, everything.
        let edits: [(Range<Int>, Range<Int>)] = [
            (w / 3..<(2 * w / 3 + 1), h / 3..<(h / 2 + 1)),
            ((w - 5)..<w, (h - 3)..<h),
            (0..<1, 0..<1),
            (0..<w, 0..<h),
        ]
        for (i, (x, y)) in edits.enumerated() {
            let after = Self.repainted(before, x: x, y: y, seed: UInt64(10 + i))
            for threads in [1, 3] {
                let spliced = try first.reencoding(after, changedColumns: Self.columns(height: h, x: x, y: y), threads: threads)
                let full = try SegmentedJPEG(encoding: after, quality: 87, chromaSubsampling: chroma)
                #expect(spliced.bytes == full.bytes, "\(w)x\(h) \(chroma) edit \(i) threads \(threads)")
                #expect(spliced.bytes != first.bytes)
                #expect(spliced.segments == full.segments)
            }
        }
        // Nothing changed: the same file.
        #expect(try first.reencoding(before, changedColumns: Array(repeating: 0..<0, count: h)).bytes == first.bytes)
    }

    @Test func chainedReencodesStayExact() throws {
        let (w, h) = (720, 400)
        var current = Self.image(width: w, height: h, seed: 3)
        var jpeg = try SegmentedJPEG(encoding: current, quality: 90)
        for step in 0..<4 {
            let x = (step * 150)..<(step * 150 + 200), y = (step * 70)..<(step * 70 + 90)
            current = Self.repainted(current, x: x, y: y, seed: UInt64(20 + step))
            jpeg = try jpeg.reencoding(current, changedColumns: Self.columns(height: h, x: x, y: y), threads: 2)
        }
        #expect(jpeg.bytes == (try SegmentedJPEG(encoding: current, quality: 90)).bytes)
    }

    @Test(arguments: [ChromaSubsampling.yuv420, .yuv444])
    func decodesToThePixelsOfAPlainEncode(_ chroma: ChromaSubsampling) throws {
        let image = Self.image(width: 333, height: 250, seed: 5)
        let segmented = try SegmentedJPEG(encoding: image, quality: 90, chromaSubsampling: chroma)
        let plain = try JPEGEncoder(options: JPEGEncodeOptions(quality: 90, chromaSubsampling: chroma, optimizeCoding: false)).encode(image)
        #expect(segmented.segmentCount > 1)
        // Restart markers change where the entropy coder resets, not a single coefficient.
        #expect(try JPEGDecoder().decode(segmented.bytes).image.pixels == JPEGDecoder().decode(plain).image.pixels)
        #expect(segmented.bytes.count < plain.count + plain.count / 50)
    }

    @Test func gridCutsRowsIntoEqualSegments() {
        // 4000 px at 4:2:0: 250 MCUs per row, cut every 10 MCUs (160 px).
        let twelve = JPEGSegmentGrid(width: 4000, height: 3000, chromaSubsampling: .yuv420)
        #expect(twelve.mcusPerRow == 250 && twelve.interval == 10 && twelve.segmentsPerRow == 25 && twelve.mcuRows == 188)
        // 251 MCUs (prime): whole rows.
        let prime = JPEGSegmentGrid(width: 4016, height: 100, chromaSubsampling: .yuv420)
        #expect(prime.interval == 251 && prime.segmentsPerRow == 1)
        // Changed columns map to the segments they touch, per MCU row.
        var columns = Array(repeating: 0..<0, count: 3000)
        columns[17] = 159..<161
        columns[40] = 3999..<4000
        let touched = twelve.touchedSegments(columns)
        #expect(touched[0] == nil && touched[1] == 0...1 && touched[2] == 24...24 && touched[3] == nil)
    }

    @Test func piecesShareRowsWithTheSameSegments() {
        let touched: [ClosedRange<Int>?] = [0...1, 0...1, 0...1, 0...1, nil, 2...3, 0...1]
        let pieces = SegmentedJPEG.pieces(touched, maxPieces: 2)
        #expect(pieces.map(\.rows) == [0..<3, 3..<4, 5..<6, 6..<7])
        #expect(pieces.map(\.segments) == [0...1, 0...1, 2...3, 0...1])
    }

    @Test func malformedScansAreRefused() {
        #expect(throws: ImagingError.self) { try JPEGEntropySegments(parsing: [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x12]) }
        #expect(throws: ImagingError.self) { try JPEGEntropySegments(parsing: [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xC4, 0xFF, 0xD9]) }
        #expect(throws: ImagingError.self) { try JPEGEntropySegments(parsing: [1, 2, 3, 4]) }
    }
}
