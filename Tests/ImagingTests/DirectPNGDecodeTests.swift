import Foundation
@testable import Imaging
import Testing

/// CPNG's direct path (libdeflate inflate + our row unfiltering) against libpng on the same files:
/// the same samples wherever it applies, and wherever it cannot finish, libpng's result or error.
struct DirectPNGDecodeTests {
    /// Samples that make libpng's adaptive filtering pick every filter type: noise, gradients, runs.
    static func samples(width: Int, height: Int, channels: Int) -> [UInt8] {
        var state: UInt32 = 2_463_534_242
        return (0..<(width * height * channels)).map { i in
            let pixel = i / channels, x = pixel % width, y = pixel / width, c = i % channels
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            switch (y / 7) % 4 {
            case 0: return UInt8(truncatingIfNeeded: x * 3 + c * 40)           // horizontal gradient
            case 1: return UInt8(truncatingIfNeeded: y * 5 + c)                // vertical gradient
            case 2: return x < width / 2 ? 1 : 0                               // a label map's runs
            default: return UInt8(truncatingIfNeeded: state >> 24)             // noise
            }
        }
    }

    /// Where two sample arrays first differ (nil when equal): keeps a failure's message short.
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
        guard a.count == b.count else { return "lengths \(a.count) vs \(b.count)" }
        return a.indices.first { a[$0] != b[$0] }.map { "at \($0): \(a[$0]) vs \(b[$0])" }
    }

    static func bothPaths(_ png: [UInt8], channels: Int) throws -> (direct: (samples: [UInt8], direct: Bool), libpng: [UInt8]) {
        var viaLibpng = PNGDecoder()
        viaLibpng.inflatesDirectly = false
        let reference = try viaLibpng.storedSamples(png, channels: channels)
        #expect(!reference.direct)
        return (try PNGDecoder().storedSamples(png, channels: channels), reference.samples)
    }

    @Test(arguments: [1, 3, 4], [(1, 1), (37, 23), (301, 211)])
    func directSamplesEqualLibpngs(channels: Int, size: (Int, Int)) throws {
        let (width, height) = size
        let pixels = Self.samples(width: width, height: height, channels: channels)
        for encoder in [PNGEncoder(), PNGEncoder(compressionLevel: 9), PNGEncoder(compressionLevel: 1, rowFilter: .none),
                        PNGEncoder(compressionLevel: 0)] {
            let png = try encoder.encode(pixels: pixels, width: width, height: height, channels: channels)
            let (direct, libpng) = try Self.bothPaths(png, channels: channels)
            #expect(direct.direct, "an 8-bit \(channels)-channel PNG should take the direct path")
            #expect(Self.firstDifference(direct.samples, libpng) == nil)
            #expect(Self.firstDifference(direct.samples, pixels) == nil)
        }
    }

    /// The 301x211 RGB file is split over several IDAT chunks by libpng's encoder: joined correctly.
    @Test func severalIDATChunksAreJoined() throws {
        let pixels = Self.samples(width: 301, height: 211, channels: 3)
        let png = try PNGEncoder(compressionLevel: 0).encode(pixels: pixels, width: 301, height: 211, channels: 3)
        #expect(PNGChunks(png).types.filter { $0 == "IDAT" }.count > 1)
        let decoded = try PNGDecoder().storedSamples(png, channels: 3)
        #expect(decoded.direct && Self.firstDifference(decoded.samples, pixels) == nil)
    }

    /// Kinds the direct path leaves to libpng: low and high bit depths, alpha from tRNS, interlacing,
    /// palettes, gray read as RGB.
    @Test(arguments: ["gray1.png", "gray4.png", "gray16.png", "graya8.png", "exif6.png", "icc.png", "gray8.png"])
    func fixturesDecodeAlikeOnBothPaths(name: String) throws {
        let png = try Fixtures.bytes(name)
        for channels in [1, 3, 4] {
            var libpng = PNGDecoder()
            libpng.inflatesDirectly = false
            let reference = Result { try libpng.storedSamples(png, channels: channels).samples }
            let direct = Result { try PNGDecoder().storedSamples(png, channels: channels).samples }
            switch (reference, direct) {
            case let (.success(a), .success(b)): #expect(Self.firstDifference(a, b) == nil, "\(name) as \(channels) channels")
            case let (.failure(a), .failure(b)): #expect("\(a)" == "\(b)", "\(name) as \(channels) channels")
            default: Issue.record("\(name) as \(channels) channels: libpng \(reference.map(\.count)) vs direct \(direct.map(\.count))")
            }
        }
    }

    /// A broken IDAT CRC, a zlib stream one byte short or with a flipped bit, an unknown row filter:
    /// the direct path gives up and libpng's error (or libpng's result) is what comes back.
    @Test func damageGetsLibpngsAnswer() throws {
        let (width, height) = (64, 48)
        let pixels = Self.samples(width: width, height: height, channels: 1)
        let png = try PNGEncoder(compressionLevel: 0).encode(pixels: pixels, width: width, height: height, channels: 1)
        let chunks = PNGChunks(png)
        let idat = try #require(chunks.types.firstIndex(of: "IDAT"))
        #expect(chunks.types.filter { $0 == "IDAT" }.count == 1)

        var badCRC = chunks
        badCRC.chunks[idat].crcOverride = 0xDEAD_BEEF
        var shortStream = chunks
        shortStream.chunks[idat].data.removeLast()
        var flipped = chunks
        flipped.chunks[idat].data[flipped.chunks[idat].data.count / 2] ^= 0x10
        // Level 0 is one stored deflate block: the rows follow the zlib (2 bytes) and block (5 bytes)
        // headers as they are. A filter byte of 9, with the Adler-32 made right again, reaches the unfiltering.
        var badFilter = chunks
        let raw = height * (width + 1)
        #expect(badFilter.chunks[idat].data.count == 2 + 5 + raw + 4 && badFilter.chunks[idat].data[2] == 1)
        badFilter.chunks[idat].data[2 + 5 + 3 * (width + 1)] = 9
        let adler = PNGChunks.adler32(badFilter.chunks[idat].data[7..<(7 + raw)])
        badFilter.chunks[idat].data.replaceSubrange((7 + raw)..<(11 + raw), with: PNGChunks.be(adler))
        for (label, damaged) in [("bad CRC", badCRC), ("short stream", shortStream), ("flipped bit", flipped),
                                 ("bad filter", badFilter)] {
            let bytes = damaged.bytes
            var libpng = PNGDecoder()
            libpng.inflatesDirectly = false
            let reference = Result { try libpng.storedSamples(bytes, channels: 1) }
            let direct = Result { try PNGDecoder().storedSamples(bytes, channels: 1) }
            switch (reference, direct) {
            case let (.failure(a), .failure(b)): #expect("\(a)" == "\(b)", "\(label)")
            case let (.success(a), .success(b)):
                #expect(Self.firstDifference(a.samples, b.samples) == nil && !b.direct, "\(label): the direct path should have given up")
            default: Issue.record("\(label): libpng \(reference.map(\.direct)), direct \(direct.map(\.direct))")
            }
        }
    }

    /// More image data than the header's rows (libpng warns and decodes): the direct path, which only
    /// takes a stream of exactly the image's length, leaves it to libpng, with the same pixels.
    @Test func extraImageDataIsLibpngs() throws {
        let pixels = Self.samples(width: 40, height: 30, channels: 1)
        var chunks = PNGChunks(try PNGEncoder().encode(pixels: pixels, width: 40, height: 30, channels: 1))
        // IHDR height 30 -> 29.
        chunks.chunks[0].data[7] = 29
        var libpng = PNGDecoder()
        libpng.inflatesDirectly = false
        let reference = try libpng.storedSamples(chunks.bytes, channels: 1)
        let direct = try PNGDecoder().storedSamples(chunks.bytes, channels: 1)
        #expect(!direct.direct)
        #expect(Self.firstDifference(direct.samples, reference.samples) == nil)
        #expect(Self.firstDifference(direct.samples, Array(pixels.prefix(40 * 29))) == nil)
    }
}

/// A PNG file as its chunks, to damage one and write the file again with correct CRCs.
struct PNGChunks {
    struct Chunk {
        var type: String
        var data: [UInt8]
        var crcOverride: UInt32?
    }
    var chunks: [Chunk] = []

    init(_ png: [UInt8]) {
        var p = 8
        while p + 12 <= png.count {
            let n = Int(png[p]) << 24 | Int(png[p + 1]) << 16 | Int(png[p + 2]) << 8 | Int(png[p + 3])
            let type = String(decoding: png[(p + 4)..<(p + 8)], as: UTF8.self)
            chunks.append(Chunk(type: type, data: Array(png[(p + 8)..<(p + 8 + n)])))
            p += 12 + n
        }
    }

    var types: [String] { chunks.map(\.type) }

    var bytes: [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for c in chunks {
            let typed = Array(c.type.utf8) + c.data
            out += Self.be(UInt32(c.data.count)) + typed + Self.be(c.crcOverride ?? Self.crc32(typed))
        }
        return out
    }

    static func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func adler32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for x in bytes { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
