import Imaging
import Testing

/// Decoded pixels must equal what Pillow (JPEG) or first-principles numpy
/// (PNG) produced for the same file, byte for byte.
@Suite struct DecoderFixtureTests {
    @Test(arguments: Fixtures.manifest.jpeg)
    func jpegMatchesPillow(_ fixture: Fixtures.DecodeCase) throws {
        var limits = DecodeLimits()
        if let scans = fixture.maxProgressiveScans { limits.maxProgressiveScans = scans }
        let decoded = try JPEGDecoder(limits: limits).decode(Fixtures.bytes(fixture.file))
        try expectPixels(decoded, fixture)
        #expect(decoded.format == .jpeg)
        #expect(decoded.orientation.rawValue == (fixture.orientation ?? 1))
        #expect(decoded.alpha == nil)
    }

    @Test(arguments: Fixtures.manifest.png)
    func pngMatchesFirstPrinciples(_ fixture: Fixtures.DecodeCase) throws {
        let policy: AlphaPolicy
        if fixture.policy == "preserve" {
            policy = .preserve
        } else if let bg = fixture.background {
            policy = .composite(red: bg[0], green: bg[1], blue: bg[2])
        } else {
            policy = .compositeOverWhite
        }
        let decoded = try PNGDecoder(alphaPolicy: policy).decode(Fixtures.bytes(fixture.file))
        try expectPixels(decoded, fixture)
        #expect(decoded.format == .png)
        #expect(decoded.orientation.rawValue == (fixture.orientation ?? 1))
        if let alphaFile = fixture.expectedAlpha {
            #expect(decoded.hadAlpha)
            let alpha = try #require(decoded.alpha)
            #expect(alpha == Fixtures.bytes(alphaFile))
        } else {
            #expect(decoded.alpha == nil)
        }
    }

    @Test func formatSniffingDispatches() throws {
        let jpeg = try ImageDecoder().decode(Fixtures.bytes("baseline420.jpg"))
        let png = try ImageDecoder().decode(Fixtures.bytes("rgb8.png"))
        #expect(jpeg.format == .jpeg)
        #expect(png.format == .png)
        #expect(jpeg.image.pixels == Fixtures.bytes("baseline420.jpg.rgb"))
        #expect(png.image.pixels == Fixtures.bytes("rgb8.png.rgb"))
    }

    @Test func decodingFromAPrefixOfALargerBufferReadsOnlyThatPrefix() throws {
        // Uploads arrive as slices of multipart bodies: trailing bytes after
        // the file must not be read as part of it.
        let file = Fixtures.bytes("progressive.jpg")
        let body = file + [UInt8](repeating: 0xFF, count: 64)
        let decoded = try body.withUnsafeBytes { raw in
            try JPEGDecoder().decode(UnsafeRawBufferPointer(rebasing: raw[0..<file.count]))
        }
        #expect(decoded.image.pixels == Fixtures.bytes("progressive.jpg.rgb"))
    }

    private func expectPixels(_ decoded: DecodedImage, _ fixture: Fixtures.DecodeCase) throws {
        #expect(decoded.image.width == fixture.width)
        #expect(decoded.image.height == fixture.height)
        let expected = Fixtures.bytes(fixture.expected)
        try #require(decoded.image.pixels.count == expected.count)
        let diffs = zip(decoded.image.pixels, expected).filter { $0 != $1 }.count
        #expect(diffs == 0, "\(diffs) of \(expected.count) samples differ from the reference")
        if let icc = fixture.icc {
            #expect(decoded.iccProfile == Fixtures.bytes(icc))
        } else {
            #expect(decoded.iccProfile == nil)
        }
    }
}
