import Imaging
import Testing

/// PNGDecoder.decodeGrayscale: gray PNGs come back as one byte per pixel, equal to the red channel
/// of the RGB decode; any other PNG is nil; broken data is an error, not nil.
struct GrayscaleDecodeTests {
    static let (width, height) = (37, 23)
    static let samples: [UInt8] = (0..<(width * height)).map { (i: Int) -> UInt8 in UInt8((i * 7 + i / 37) % 256) }

    @Test func grayPNGDecodesToItsSamples() throws {
        let png = try PNGEncoder().encode(pixels: Self.samples, width: Self.width, height: Self.height, channels: 1)
        let gray = try #require(try PNGDecoder().decodeGrayscale(png))
        #expect(gray.width == Self.width && gray.height == Self.height && gray.pixels == Self.samples)
        let rgb = try PNGDecoder().decode(png).image
        #expect((0..<(Self.width * Self.height)).allSatisfy { rgb.pixels[3 * $0] == gray.pixels[$0] })
    }

    /// Only an 8-bit, unrotated gray PNG is its samples as stored.
    @Test func storedAsIsOnlyForEightBitUprightFiles() throws {
        let png = try PNGEncoder().encode(pixels: Self.samples, width: Self.width, height: Self.height, channels: 1)
        #expect(try PNGDecoder().decodeGrayscaleSamples(png)?.storedAsIs == true)
        #expect(try PNGDecoder().decodeGrayscaleSamples(Fixtures.bytes("gray8.png"))?.storedAsIs == true)
        for name in ["gray1.png", "gray4.png", "gray16.png"] {
            let decoded = try #require(try PNGDecoder().decodeGrayscaleSamples(Fixtures.bytes(name)), "\(name)")
            #expect(!decoded.storedAsIs, "\(name)")
        }
    }

    @Test func otherKindsAreNil() throws {
        let triple: [UInt8] = Self.samples.flatMap { [$0, $0 &+ 1, $0] }
        let rgb = try PNGEncoder().encode(pixels: triple, width: Self.width, height: Self.height, channels: 3)
        #expect(try PNGDecoder().decodeGrayscale(rgb) == nil)
        let pairs: [UInt8] = Self.samples.flatMap { [$0, 200] }
        let grayAlpha = try PNGEncoder().encode(pixels: pairs, width: Self.width, height: Self.height, channels: 2)
        #expect(try PNGDecoder().decodeGrayscale(grayAlpha) == nil)
    }

    @Test func brokenDataThrows() throws {
        let png = try PNGEncoder().encode(pixels: Self.samples, width: Self.width, height: Self.height, channels: 1)
        #expect(throws: ImagingError.self) { try PNGDecoder().decodeGrayscale(Array(png.prefix(png.count / 2))) }
        #expect(throws: ImagingError.self) { try PNGDecoder().decodeGrayscale([0x89, 0x50]) }
    }
}
