import Imaging
import Testing

/// Lab must agree with scikit-image (values in colour.json) within 1e-3.
@Suite struct ColourTests {
    struct Pair: Decodable { var rgb: [Double]; var lab: [Double] }
    struct Fixture: Decodable { var rgb2lab: Pair; var lab2rgb: Pair }
    let fixture = Fixtures.json("colour.json", as: Fixture.self)

    /// Interleaved triples to a 3-plane image of width n, height 1.
    private func planar(_ triples: [Double], scale: Double = 1) -> PlanarImage {
        let n = triples.count / 3
        var data = [Float](repeating: 0, count: n * 3)
        for i in 0..<n {
            for c in 0..<3 { data[c * n + i] = Float(triples[i * 3 + c] * scale) }
        }
        return PlanarImage(width: n, height: 1, channels: 3, data: data)
    }

    private func maxError(_ image: PlanarImage, _ expected: [Double]) -> Double {
        let n = image.width
        var worst = 0.0
        for i in 0..<n {
            for c in 0..<3 { worst = max(worst, abs(Double(image.data[c * n + i]) - expected[i * 3 + c])) }
        }
        return worst
    }

    @Test func rgbToLabMatchesScikitImage() {
        let lab = LabConverter.srgbToLab(planar(fixture.rgb2lab.rgb, scale: 1.0 / 255))
        let error = maxError(lab, fixture.rgb2lab.lab)
        #expect(error <= 1e-3, "max |ΔLab| = \(error)")
    }

    @Test func labToRGBMatchesScikitImage() {
        let rgb = LabConverter.labToSRGB(planar(fixture.lab2rgb.lab))
        let error = maxError(rgb, fixture.lab2rgb.rgb)
        #expect(error <= 1e-3, "max |ΔRGB| = \(error)")
    }

    @Test func roundTripStaysWithinHalfALevel() {
        // Every third level of each channel: 86³ ≈ 636 000 colours.
        let levels = Array(stride(from: 0, through: 255, by: 3))
        var pixels: [UInt8] = []
        pixels.reserveCapacity(levels.count * levels.count * levels.count * 3)
        for r in levels { for g in levels { for b in levels { pixels += [UInt8(r), UInt8(g), UInt8(b)] } } }
        let n = pixels.count / 3
        let rgb = PlanarImage(RGBImage(width: n, height: 1, pixels: pixels))
        let back = LabConverter.labToSRGB(LabConverter.srgbToLab(rgb))
        var worst: Float = 0
        for i in 0..<(n * 3) { worst = max(worst, abs(back.data[i] - rgb.data[i])) }
        #expect(worst <= 0.5 / 255, "max round-trip error \(worst * 255)/255")
        #expect(back.rgbImage() == RGBImage(width: n, height: 1, pixels: pixels))
    }

    @Test func outOfRangeAndNaNInputsAreClamped() {
        let image = PlanarImage(width: 3, height: 1, channels: 3,
                                data: [-1, .nan, 2, -1, .nan, 2, -1, .nan, 2])
        let lab = LabConverter.srgbToLab(image)
        // Black (L = 0) for the first two, white (L = 100) for the third.
        #expect(abs(lab.data[0]) < 1e-4 && abs(lab.data[1]) < 1e-4)
        #expect(abs(lab.data[2] - 100) < 1e-3)
        #expect(image.rgbImage().pixels == [0, 0, 0, 0, 0, 0, 255, 255, 255])
    }
}
