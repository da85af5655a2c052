import Imaging
import Testing

@Suite struct EncoderTests {
    let source = try! JPEGDecoder().decode(Fixtures.bytes("baseline444.jpg")).image

    /// Offsets of each marker segment (marker byte after 0xFF) before SOS.
    private func segments(_ jpeg: [UInt8]) -> [(marker: UInt8, payload: ArraySlice<UInt8>)] {
        var out: [(UInt8, ArraySlice<UInt8>)] = []
        var at = 2
        while at + 4 <= jpeg.count, jpeg[at] == 0xFF {
            let marker = jpeg[at + 1]
            let length = Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3])
            out.append((marker, jpeg[(at + 4)..<min(at + 2 + length, jpeg.count)]))
            if marker == 0xDA { break }
            at += 2 + length
        }
        return out
    }

    @Test(arguments: [ChromaSubsampling.yuv420, .yuv444], [false, true])
    func jpegStructureFollowsOptions(_ chroma: ChromaSubsampling, _ progressive: Bool) throws {
        let options = JPEGEncodeOptions(quality: 90, chromaSubsampling: chroma, progressive: progressive)
        let jpeg = try JPEGEncoder(options: options).encode(source)
        #expect(Array(jpeg.prefix(2)) == [0xFF, 0xD8])
        #expect(Array(jpeg.suffix(2)) == [0xFF, 0xD9])
        let segs = segments(jpeg)
        // SOF0 baseline or SOF2 progressive; component 1's sampling byte is
        // 0x22 for 4:2:0 and 0x11 for 4:4:4; chroma is always 0x11.
        let sof = try #require(segs.first { $0.marker == 0xC0 || $0.marker == 0xC2 })
        #expect(sof.marker == (progressive ? 0xC2 : 0xC0))
        let p = Array(sof.payload)
        #expect(Int(p[1]) << 8 | Int(p[2]) == source.height)
        #expect(Int(p[3]) << 8 | Int(p[4]) == source.width)
        #expect(p[5] == 3)
        #expect(p[7] == (chroma == .yuv420 ? 0x22 : 0x11))
        #expect(p[10] == 0x11 && p[13] == 0x11)
        // No APP1, hence no EXIF orientation for readers to apply twice.
        #expect(!segs.contains { $0.marker == 0xE1 })
    }

    @Test(arguments: [ChromaSubsampling.yuv420, .yuv444])
    func jpegRoundTripIsClose(_ chroma: ChromaSubsampling) throws {
        let jpeg = try JPEGEncoder(options: JPEGEncodeOptions(quality: 95, chromaSubsampling: chroma)).encode(source)
        let back = try JPEGDecoder().decode(jpeg).image
        #expect(back.width == source.width && back.height == source.height)
        // 4:2:0 halves chroma resolution, which on this test card's 6-pixel
        // blue checkerboard costs a lot of blue; luma must survive either way.
        func luma(_ p: [UInt8], _ i: Int) -> Double {
            0.299 * Double(p[i * 3]) + 0.587 * Double(p[i * 3 + 1]) + 0.114 * Double(p[i * 3 + 2])
        }
        let n = source.width * source.height
        let lumaError = (0..<n).map { abs(luma(back.pixels, $0) - luma(source.pixels, $0)) }.reduce(0, +) / Double(n)
        #expect(lumaError < 2, "mean luma error \(lumaError)")
        if chroma == .yuv444 {
            let diffs = zip(back.pixels, source.pixels).map { abs(Int($0) - Int($1)) }
            let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
            #expect(mean < 2.5, "mean RGB error \(mean)")
        }
    }

    @Test func lowerQualityIsSmaller() throws {
        let small = try JPEGEncoder(options: JPEGEncodeOptions(quality: 40)).encode(source)
        let large = try JPEGEncoder(options: JPEGEncodeOptions(quality: 98)).encode(source)
        #expect(small.count < large.count)
    }

    @Test func iccProfileIsCarriedOver() throws {
        let decoded = try JPEGDecoder().decode(Fixtures.bytes("icc.jpg"))
        let icc = try #require(decoded.iccProfile)
        let jpeg = try JPEGEncoder().encode(decoded.image, iccProfile: icc)
        let app2 = segments(jpeg).filter { $0.marker == 0xE2 }
        #expect(app2.count == 1)
        #expect(Array(app2[0].payload.prefix(12)) == Array("ICC_PROFILE\0".utf8))
        #expect(try JPEGDecoder().decode(jpeg).iccProfile == icc)
    }

    @Test func rotatedInputIsWrittenUpright() throws {
        // orient6.jpg stores 45×29 pixels with orientation 6: upright it is
        // 29×45, and the re-encoded file must say nothing about rotation.
        let decoded = try JPEGDecoder().decode(Fixtures.bytes("orient6.jpg"))
        #expect(decoded.orientation == .right)
        let jpeg = try JPEGEncoder().encode(decoded.image)
        let again = try JPEGDecoder().decode(jpeg)
        #expect(again.orientation == .up)
        #expect(again.image.width == 29 && again.image.height == 45)
    }

    @Test func invalidJPEGOptionsAreRefused() {
        #expect(throws: ImagingError.invalidArgument("JPEG quality 0 is outside 1...100")) {
            try JPEGEncoder(options: JPEGEncodeOptions(quality: 0)).encode(source)
        }
        #expect(throws: ImagingError.self) {
            try JPEGEncoder().encode(RGBImage(width: 0, height: 0, pixels: []))
        }
    }

    @Test(arguments: 1...4)
    func pngIsLossless(_ channels: Int) throws {
        let (w, h) = (19, 7)
        var rng = SplitMix64(seed: UInt64(channels))
        let pixels = (0..<(w * h * channels)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let png = try PNGEncoder().encode(pixels: pixels, width: w, height: h, channels: channels)
        // IHDR: 8-bit, colour type 0 / 4 / 2 / 6 for 1...4 channels.
        #expect(png[24] == 8)
        #expect(png[25] == [0, 4, 2, 6][channels - 1])
        let back = try PNGDecoder(alphaPolicy: .preserve).decode(png)
        #expect(back.image.width == w && back.image.height == h)
        let colour = channels >= 3 ? 3 : 1
        var expectedRGB: [UInt8] = []
        var expectedAlpha: [UInt8] = []
        for i in 0..<(w * h) {
            let px = pixels[(i * channels)..<(i * channels + channels)]
            let c = Array(px.prefix(colour))
            expectedRGB += colour == 3 ? c : [c[0], c[0], c[0]]
            if channels % 2 == 0 { expectedAlpha.append(px.last!) }
        }
        #expect(back.image.pixels == expectedRGB)
        #expect(back.alpha == (channels % 2 == 0 ? expectedAlpha : nil))
    }

    @Test func invalidPNGArgumentsAreRefused() {
        #expect(throws: ImagingError.invalidArgument("PNG supports 1 to 4 channels, not 5")) {
            try PNGEncoder().encode(pixels: [UInt8](repeating: 0, count: 5), width: 1, height: 1, channels: 5)
        }
        #expect(throws: ImagingError.invalidArgument("3 bytes for 2×1×2")) {
            try PNGEncoder().encode(pixels: [1, 2, 3], width: 2, height: 1, channels: 2)
        }
        #expect(throws: ImagingError.self) {
            try PNGEncoder(compressionLevel: 10).encode(source)
        }
    }
}
