import Imaging
import Testing

/// Each hostile file must fail with exactly the error its construction
/// implies (see make_fixtures.py), and random damage must never crash.
@Suite struct HostileInputTests {
    @Test(arguments: Fixtures.manifest.hostile)
    func refusedWithTheExpectedError(_ fixture: Fixtures.HostileCase) {
        let bytes = Fixtures.bytes(fixture.file)
        let format: ImageFormat? = fixture.format.flatMap(ImageFormat.init(rawValue:))
        var limits = DecodeLimits()
        if let maxChunkBytes = fixture.maxChunkBytes { limits.maxChunkBytes = maxChunkBytes }
        do {
            let image = try ImageDecoder(limits: limits).decode(bytes)
            Issue.record("decoded a \(image.image.width)×\(image.image.height) image; expected \(fixture.error)")
        } catch {
            let matched: Bool
            switch (fixture.error, error) {
            case ("emptyInput", .emptyInput), ("unrecognizedFormat", .unrecognizedFormat):
                matched = true
            case ("truncated", .truncated(let f, let detail)), ("corrupt", .corrupt(let f, let detail)):
                matched = f == format && !detail.isEmpty
            case ("zeroDimensions", .zeroDimensions(let f, let w, let h)):
                matched = f == format && w == fixture.width && h == fixture.height
            case ("sideTooLarge", .sideTooLarge(let f, let w, let h, let side)):
                matched = f == format && w == fixture.width && h == fixture.height && side == fixture.maxSide
            case ("tooManyPixels", .tooManyPixels(let f, let w, let h, let pixels)):
                matched = f == format && w == fixture.width && h == fixture.height && pixels == fixture.maxPixels
            case ("tooManyProgressiveScans", .tooManyProgressiveScans(let limit)):
                matched = limit == fixture.limit
            case ("chunkTooLarge", .chunkTooLarge(let chunk, let length, let limit)):
                matched = chunk == fixture.chunk && length == fixture.length && limit == fixture.limit
            default:
                matched = false
            }
            #expect(matched, "got \(error) (\(error.description))")
        }
    }

    @Test func progressiveScanCapIsConfigurable() {
        // libjpeg's simple progression writes 10 scans for YCbCr.
        let file = Fixtures.bytes("progressive.jpg")
        #expect(throws: ImagingError.tooManyProgressiveScans(limit: 9)) {
            try JPEGDecoder(limits: DecodeLimits(maxProgressiveScans: 9)).decode(file)
        }
        #expect(throws: Never.self) {
            try JPEGDecoder(limits: DecodeLimits(maxProgressiveScans: 10)).decode(file)
        }
    }

    @Test func pixelLimitIsCheckedAgainstTheDeclaredSize() {
        // 45×29 = 1305 pixels; 23×17 = 391.
        #expect(throws: ImagingError.tooManyPixels(format: .jpeg, width: 45, height: 29, maxPixels: 1304)) {
            try ImageDecoder(limits: DecodeLimits(maxPixels: 1304)).decode(Fixtures.bytes("baseline420.jpg"))
        }
        #expect(throws: ImagingError.sideTooLarge(format: .png, width: 23, height: 17, maxSide: 22)) {
            try ImageDecoder(limits: DecodeLimits(maxSide: 22)).decode(Fixtures.bytes("rgb8.png"))
        }
    }

    @Test func decoderMemoryLimitStopsProgressiveCoefficientBuffers() throws {
        // A progressive decode keeps every DCT coefficient, 2 bytes each:
        // 512×512 at 4:2:0 is 1.5 × 512² × 2 bytes ≈ 768 KiB, over 256 KiB.
        var rng = SplitMix64(seed: 7)
        let noise = (0..<(512 * 512 * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let file = try JPEGEncoder(options: JPEGEncodeOptions(progressive: true))
            .encode(RGBImage(width: 512, height: 512, pixels: noise))
        #expect(throws: ImagingError.decoderMemoryLimit(limit: 256 << 10)) {
            try JPEGDecoder(limits: DecodeLimits(maxDecoderMemory: 256 << 10)).decode(file)
        }
        #expect(throws: Never.self) {
            try JPEGDecoder(limits: DecodeLimits(maxDecoderMemory: 4 << 20)).decode(file)
        }
    }

    static let mutationSources = ["baseline420.jpg", "progressive.jpg", "cmyk.jpg", "icc.jpg", "orient6.jpg",
                                  "rgb8.png", "rgba16_interlaced.png", "palette4_trns.png", "icc.png"]

    /// A small deterministic fuzz. Cutting into the pixel data must always be
    /// refused (never padded out with grey and passed off as a photo); bit
    /// flips anywhere must end in a decoded image of consistent size or an
    /// ImagingError. A crash or a hang fails the run.
    @Test(arguments: mutationSources)
    func randomDamageNeverCrashes(_ name: String) {
        let original = Fixtures.bytes(name)
        var rng = SplitMix64(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }))
        for round in 0..<300 {
            var bytes = original
            if round % 3 == 0 {
                // More than the 12-byte IEND chunk plus a CRC, or a JPEG EOI.
                bytes.removeLast(17 + Int(rng.next() % UInt64(bytes.count - 17)))
                #expect(throws: ImagingError.self, "cut to \(bytes.count) bytes") {
                    try ImageDecoder().decode(bytes)
                }
                continue
            }
            for _ in 0...(rng.next() % 4) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] ^= UInt8(1 << (rng.next() % 8))
            }
            if let decoded = try? ImageDecoder(alphaPolicy: .preserve).decode(bytes) {
                let count = decoded.image.width * decoded.image.height
                #expect(decoded.image.pixels.count == count * 3)
                #expect(decoded.alpha.map { $0.count == count } ?? true)
            }
        }
    }
}

/// Tiny seeded generator so the fuzz rounds are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
