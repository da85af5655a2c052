import Imaging
import Testing

@Suite struct ResamplingTests {
    struct Case: Decodable { var width: Int; var height: Int; var filter: String?; var output: [Float] }
    struct Set: Decodable { var channels: Int; var width: Int; var height: Int; var input: [Float]; var cases: [Case] }
    struct Fixture: Decodable { var resize: Set; var bilinear: Set }
    static let fixture = Fixtures.json("resample.json", as: Fixture.self)

    private static func input(_ set: Set) -> PlanarImage {
        PlanarImage(width: set.width, height: set.height, channels: set.channels, data: set.input)
    }

    @Test(arguments: 0..<8)
    func resizeMatchesPillow(_ index: Int) {
        let set = Self.fixture.resize
        let c = set.cases[index]
        let filter: ResampleFilter = switch c.filter {
        case "box": .box
        case "triangle": .triangle
        default: .lanczos3
        }
        let out = Resampler.resize(Self.input(set), width: c.width, height: c.height, filter: filter)
        #expect(out.width == c.width && out.height == c.height && out.channels == set.channels)
        let worst = zip(out.data, c.output).map { abs($0 - $1) }.max() ?? .infinity
        // Pillow accumulates in double; we in Float over values up to 3.
        #expect(worst <= 2e-5, "\(c.width)×\(c.height) \(c.filter ?? ""): max error \(worst)")
    }

    @Test func boxDownscaleByAnIntegerFactorIsTheBlockMean() {
        let (w, h) = (12, 9)
        let data = (0..<(w * h)).map { Float(($0 * 37) % 101) }
        let out = Resampler.resize(PlanarImage(width: w, height: h, channels: 1, data: data),
                                   width: 4, height: 3, filter: .box)
        for oy in 0..<3 {
            for ox in 0..<4 {
                var sum: Float = 0
                for y in (oy * 3)..<(oy * 3 + 3) { for x in (ox * 3)..<(ox * 3 + 3) { sum += data[y * w + x] } }
                #expect(abs(out.data[oy * 4 + ox] - sum / 9) < 1e-4)
            }
        }
    }

    @Test(arguments: 0..<6)
    func bilinearMatchesPyTorchFormula(_ index: Int) {
        let set = Self.fixture.bilinear
        let c = set.cases[index]
        let out = BilinearInterpolator.resize(Self.input(set), width: c.width, height: c.height)
        #expect(out.width == c.width && out.height == c.height && out.channels == set.channels)
        let worst = zip(out.data, c.output).map { abs($0 - $1) }.max() ?? .infinity
        // Same float32 operations in the same order: equal up to the last bit
        // or two, whatever the compiler does with them.
        #expect(worst <= 1e-6, "\(c.width)×\(c.height): max error \(worst)")
    }

    @Test func bilinearAtTheSameSizeIsTheIdentity() {
        let image = Self.input(Self.fixture.bilinear)
        #expect(BilinearInterpolator.resize(image, width: image.width, height: image.height) == image)
    }

    /// A deterministic 8-bit photo with edges and noise.
    private static func photo(width: Int, height: Int) -> RGBImage {
        var seed: UInt32 = 99
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 {
                    seed = seed &* 1_664_525 &+ 1_013_904_223
                    let edge = (x * 3 + y * (c + 1)) % 47 < 20 ? 180 : 40
                    pixels.append(UInt8(clamping: edge + Int(seed >> 27)))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    @Test(arguments: [(97, 61), (97, 13), (20, 61), (300, 200)])
    func bytesResizeLikeTheirPlanes(_ size: (Int, Int)) {
        let image = Self.photo(width: 131, height: 83)
        for filter in [ResampleFilter.triangle, .lanczos3] {
            let direct = Resampler.resize(image, width: size.0, height: size.1, filter: filter)
            let viaPlanes = Resampler.resize(PlanarImage(image), width: size.0, height: size.1, filter: filter)
            #expect(direct.width == size.0 && direct.height == size.1 && direct.channels == 3)
            let worst = zip(direct.data, viaPlanes.data).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-6, "\(size) \(filter): max difference \(worst)")
        }
        #expect(Resampler.resize(image, width: 131, height: 83, filter: .triangle) == PlanarImage(image))
    }
}
