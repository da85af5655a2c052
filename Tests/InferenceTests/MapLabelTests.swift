import Testing
@testable import Inference

/// The K = 2 map labels by segments (MapRowSampler.labels: evaluated only where a segment's ends
/// disagree) against every pixel's logits and argmax, at sizes whose columns map onto the pieces'
/// grids in different ways (upscales of several factors, odd widths, a photo smaller than a piece).
struct MapLabelTests {
    /// A context whose four pieces (the scales of a 64×48 working image) hold smooth random fields
    /// of both signs, so the map has many boundaries.
    static func context() -> ContextResult {
        var seed: UInt32 = 2024
        func piece(_ h: Int, _ w: Int, amplitude: Float) -> ChannelsLastMap {
            var m = Matrix(rows: h * w, cols: 2)
            for i in 0..<(h * w) {
                for c in 0..<2 {
                    seed = seed &* 1_664_525 &+ 1_013_904_223
                    m[i, c] = amplitude * (Float(seed >> 8) / Float(1 << 24) - 0.5)
                }
            }
            return ChannelsLastMap(height: h, width: w, data: m)
        }
        return ContextResult(
            workingHeight: 48, workingWidth: 64, mode: .map, conv1Piece: piece(24, 32, amplitude: 0),
            scalePieces: [piece(12, 16, amplitude: 4), piece(6, 8, amplitude: 2), piece(3, 4, amplitude: 2), piece(3, 4, amplitude: 1)],
            scaleBias: [0.1, -0.1])
    }

    @Test(arguments: [(60, 240), (17, 1999), (24, 4000), (3, 7), (300, 61)])
    func segmentLabelsEqualPerPixelArgmax(size: (Int, Int)) throws {
        let (h, w) = size
        let sampler = MapRowSampler(Self.context(), height: h, width: w)
        #expect(sampler.channels == 2)
        var buffers = [Float](repeating: 0, count: sampler.rowBufferCount + 2 * w)
        var fast = [UInt8](repeating: 9, count: w), slow = [UInt8](repeating: 9, count: w)
        var differing = 0, ones = 0
        for y in 0..<h {
            buffers.withUnsafeMutableBufferPointer { b in
                let rows = b.baseAddress!, logits = rows + sampler.rowBufferCount
                sampler.labels(row: y, rowBuffers: rows, into: &fast)
                sampler.values(row: y, rowBuffers: rows, into: logits)
                MapRowSampler.argmax(logits, count: 2, width: w, into: &slow)
            }
            differing += zip(fast, slow).filter { $0 != $1 }.count
            ones += slow.filter { $0 == 1 }.count
        }
        #expect(differing == 0, "\(h)x\(w): \(differing) labels differ")
        #expect(ones > 0 && ones < h * w, "both presets occur, so boundaries are exercised (\(ones) of \(h * w))")
        #expect(sampler.segmentStarts.count - 1 <= max(w / 16, 64), "far fewer segments than pixels for wide rows")
    }
}
