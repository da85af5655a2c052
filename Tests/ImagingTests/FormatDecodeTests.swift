import Foundation
import Imaging
import Testing

/// WebP, HEIC, AVIF and TIFF files written by other implementations (cwebp, heif-enc, avifenc,
/// Pillow; Fixtures/formats/make_formats.py), decoded by ImageDecoder and compared with what a
/// third decoder (Pillow, heif-convert) or the source array says.
@Suite struct FormatDecodeTests {
    struct Manifest: Decodable {
        var decode: [DecodeCase]
        var colour: [ColourCase]
    }

    struct DecodeCase: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var format: String
        var expected: String?
        var width: Int?
        var height: Int?
        var maxError: Int?
        var source: String?
        var sourceMean: Double?
        var orientation: Int?
        var alpha: Bool?
        var grayscale: Bool?
        var error: String?
        var description: String { file }
    }

    struct ColourCase: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var expected: String
        var width: Int
        var height: Int
        var profile: String
        var description: String { "\(file) (\(profile))" }
    }

    static let manifest = Fixtures.json("formats/formats.json", as: Manifest.self)

    @Test(arguments: manifest.decode.filter { $0.error == nil })
    func decodesAsTheReferenceDoes(_ fixture: DecodeCase) throws {
        let bytes = Fixtures.bytes("formats/" + fixture.file)
        let decoded = try ImageDecoder().decode(bytes)
        #expect(decoded.format.rawValue == fixture.format)
        #expect(decoded.image.width == fixture.width && decoded.image.height == fixture.height)
        let expected = Fixtures.bytes("formats/" + (fixture.expected ?? ""))
        try #require(decoded.image.pixels.count == expected.count)
        let worst = zip(decoded.image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= fixture.maxError ?? 0, "largest difference \(worst)")
        #expect(decoded.orientation.rawValue == (fixture.orientation ?? 1))
        #expect(decoded.hadAlpha == (fixture.alpha ?? false))
        #expect(decoded.isGrayscale == (fixture.grayscale ?? false))
        if let source = fixture.source {
            // A lossy file still looks like what was encoded.
            let original = Fixtures.bytes("formats/" + source)
            let mean = Double(zip(decoded.image.pixels, original).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(original.count)
            #expect(mean < fixture.sourceMean ?? 4, "mean difference from the source \(mean)")
        }
    }

    @Test(arguments: manifest.decode.filter { $0.alpha == true })
    func alphaIsKeptApartUnderPreserve(_ fixture: DecodeCase) throws {
        let decoded = try ImageDecoder(alphaPolicy: .preserve).decode(Fixtures.bytes("formats/" + fixture.file))
        let alpha = try #require(decoded.alpha)
        #expect(alpha.count == decoded.image.width * decoded.image.height)
        // The fixtures' alpha ramps from 0 at the left edge to 255 at the right.
        #expect(alpha[0] == 0 && alpha[decoded.image.width - 1] == 255)
    }

    @Test func animatedWebPIsRefusedNotCut() throws {
        let bytes = Fixtures.bytes("formats/animated.webp")
        #expect {
            _ = try ImageDecoder().decode(bytes)
        } throws: { error in
            guard case .unsupportedFeature(.webp, _) = error as? ImagingError else { return false }
            return true
        }
    }

    @Test(arguments: ["lossy.webp", "photo.heic", "photo.avif", "rgb.tif"])
    func truncatedFilesAreErrorsNotCrashes(_ file: String) throws {
        let bytes = Fixtures.bytes("formats/" + file)
        for cut in [12, 40, bytes.count / 2, bytes.count - 9] {
            #expect(throws: ImagingError.self, "cut at \(cut)") { _ = try ImageDecoder().decode(Array(bytes.prefix(cut))) }
        }
    }

    @Test(arguments: ["lossless.webp", "photo.heic", "photo.avif", "rgb.tif"])
    func declaredSizeOverTheLimitIsRefusedBeforeDecoding(_ file: String) throws {
        let limits = DecodeLimits(maxPixels: 1000)
        #expect {
            _ = try ImageDecoder(limits: limits).decode(Fixtures.bytes("formats/" + file))
        } throws: { error in
            guard case .tooManyPixels(_, 64, 48, 1000) = error as? ImagingError else { return false }
            return true
        }
    }

    @Test func sniffingIgnoresTheNameAndReadsTheBrand() throws {
        func sniff(_ bytes: [UInt8]) -> ImageFormat? { bytes.withUnsafeBytes { ImageFormat.sniff($0) } }
        #expect(sniff(Fixtures.bytes("formats/photo.heic")) == .heic)
        #expect(sniff(Fixtures.bytes("formats/photo.avif")) == .avif)
        #expect(sniff(Fixtures.bytes("formats/lossy.webp")) == .webp)
        #expect(sniff(Fixtures.bytes("formats/rgb.tif")) == .tiff)
        // An MP4 video's ftyp (isom brands) is not an image.
        let mp4: [UInt8] = [0, 0, 0, 24] + Array("ftypisom".utf8) + [0, 0, 2, 0] + Array("isomiso2".utf8)
        #expect(sniff(mp4) == nil)
        #expect(sniff(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8)) == nil)
    }

    /// Item 2's figure: LittleCMS through ColourManagement against Pillow's ImageCms on the same
    /// photo stored in Display P3, Adobe RGB and ProPhoto (and the P3 one as HEIC with its profile,
    /// and as AVIF with nclx code points only): mean CIE ΔE*ab at most 0.5.
    @Test(arguments: manifest.colour)
    func wideGamutPhotosAreConvertedToSRGBAsImageCmsDoes(_ fixture: ColourCase) throws {
        let decoded = try ImageDecoder().decode(Fixtures.bytes("formats/" + fixture.file))
        guard case .converted = decoded.colourConversion else {
            Issue.record("not converted: \(decoded.colourConversion)")
            return
        }
        #expect(decoded.iccProfile == ColourManagement.sRGBProfile)
        let reference = Fixtures.bytes("formats/" + fixture.expected)
        let (mean, worst) = Self.deltaE(decoded.image.pixels, reference)
        #expect(mean <= 0.5, "mean ΔE \(mean), max \(worst)")
        // Without conversion the same pixels would be far off: the test can fail.
        let raw = try ImageDecoder(colourManagement: nil).decode(Fixtures.bytes("formats/" + fixture.file))
        #expect(Self.deltaE(raw.image.pixels, reference).mean > 1.5)
    }

    @Test func anSRGBProfileIsKeptAndThePixelsLeftAlone() throws {
        let file = Fixtures.bytes("icc.png")
        let decoded = try ImageDecoder().decode(file)
        let raw = try ImageDecoder(colourManagement: nil).decode(file)
        #expect(decoded.colourConversion == .alreadySRGB)
        #expect(decoded.image.pixels == raw.image.pixels)
        #expect(decoded.iccProfile == raw.iccProfile)
    }

    static func deltaE(_ a: [UInt8], _ b: [UInt8]) -> (mean: Double, max: Double) {
        let n = a.count / 3
        var la = [Float](repeating: 0, count: n), aa = la, ba = la, lb = la, ab = la, bb = la
        a.withUnsafeBufferPointer { LabConverter.srgb8ToLab($0.baseAddress!, l: &la, a: &aa, b: &ba, count: n) }
        b.withUnsafeBufferPointer { LabConverter.srgb8ToLab($0.baseAddress!, l: &lb, a: &ab, b: &bb, count: n) }
        var sum = 0.0, worst = 0.0
        for i in 0..<n {
            let d = Double(((la[i] - lb[i]) * (la[i] - lb[i]) + (aa[i] - ab[i]) * (aa[i] - ab[i]) + (ba[i] - bb[i]) * (ba[i] - bb[i])).squareRoot())
            sum += d
            worst = max(worst, d)
        }
        return (sum / Double(n), worst)
    }
}

/// Per format: a decode bomb, the wrong magic and a cut file (Fixtures/formats/make_formats.py's
/// hostile_cases) are refused with the error their construction implies, before any pixel memory.
@Suite struct FormatHostileTests {
    struct Manifest: Decodable { var hostile: [HostileCase] }
    struct HostileCase: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var error: String
        var width: Int?
        var height: Int?
        var description: String { file }
    }

    @Test(arguments: Fixtures.json("formats/formats.json", as: Manifest.self).hostile)
    func refusedWithTheExpectedError(_ fixture: HostileCase) throws {
        let bytes = Fixtures.bytes("formats/" + fixture.file)
        do {
            let decoded = try ImageDecoder().decode(bytes)
            Issue.record("decoded as \(decoded.image.width)x\(decoded.image.height)")
        } catch {
            let matches: Bool = switch (fixture.error, error) {
            case ("tooManyPixels", .tooManyPixels(_, let w, let h, _)): w == fixture.width && h == fixture.height
            case ("sideTooLarge", .sideTooLarge(_, let w, let h, _)): w == fixture.width && h == fixture.height
            case ("sizeLimit", .sizeLimit): true
            case ("unrecognizedFormat", .unrecognizedFormat): true
            case ("truncated", .truncated): true
            case ("corrupt", .corrupt): true
            case ("truncatedOrCorrupt", .truncated), ("truncatedOrCorrupt", .corrupt): true
            default: false
            }
            #expect(matches, "expected \(fixture.error), got \(error)")
            #expect(error.isSizeLimit == ["tooManyPixels", "sideTooLarge", "sizeLimit"].contains(fixture.error))
        }
    }
}
