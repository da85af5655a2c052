import Foundation
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

    /// Every third level of each channel, interleaved.
    private static func cube() -> [UInt8] {
        let levels = Array(stride(from: 0, through: 255, by: 3))
        var pixels: [UInt8] = []
        pixels.reserveCapacity(levels.count * levels.count * levels.count * 3)
        for r in levels { for g in levels { for b in levels { pixels += [UInt8(r), UInt8(g), UInt8(b)] } } }
        return pixels
    }

    @Test func byteRowsConvertLikeThePlanes() {
        let pixels = Self.cube()
        let n = pixels.count / 3
        let planes = LabConverter.srgbToLab(PlanarImage(RGBImage(width: n, height: 1, pixels: pixels)))
        var l = [Float](repeating: 0, count: n), a = l, b = l
        pixels.withUnsafeBufferPointer { p in
            LabConverter.srgb8ToLab(p.baseAddress!, l: &l, a: &a, b: &b, count: n)
        }
        var worst: Float = 0
        for i in 0..<n {
            worst = max(worst, abs(l[i] - planes.data[i]), abs(a[i] - planes.data[n + i]), abs(b[i] - planes.data[2 * n + i]))
        }
        #expect(worst <= 1e-3, "max |ΔLab| between the byte and plane forms: \(worst)")

        // And back: the bytes the plane path (labToSRGB, then rgbImage) gives, exactly.
        let expected = LabConverter.labToSRGB(planes).rgbImage().pixels
        var bytes = [UInt8](repeating: 0, count: 3 * n)
        LabConverter.labToSRGB8(l: &l, a: &a, b: &b, count: n, into: &bytes)
        #expect(bytes == expected)
        #expect(bytes == pixels, "an 8-bit colour survives the byte round trip")
    }

    @Test func byteRowsClipOutOfGamutLabAndNaN() {
        var l: [Float] = [-20, 150, .nan, 50], a: [Float] = [0, 0, 0, 300], b: [Float] = [0, 0, 0, -300]
        let planes = PlanarImage(width: 4, height: 1, channels: 3, data: l + a + b)
        var bytes = [UInt8](repeating: 7, count: 12)
        LabConverter.labToSRGB8(l: &l, a: &a, b: &b, count: 4, into: &bytes)
        #expect(Array(bytes[0..<9]) == [0, 0, 0, 255, 255, 255, 0, 0, 0])
        #expect(bytes[9...].contains(0) && bytes[9...].contains(255), "far out of gamut clips per channel")
        #expect(bytes == LabConverter.labToSRGB(planes).rgbImage().pixels)
    }

    /// The table rounding of labToSRGB8 against the rounding of the exact curve in Double, over
    /// a dense sweep of linear values (every level's neighbourhood, both sides of each boundary).
    @Test func byteEncodingRoundsOnTheExactCurve() {
        func encoded(_ v: Double) -> Int {
            let c = min(max(v, 0), 1)
            let e = c > 0.0031308 ? 1.055 * pow(c, 1 / 2.4) - 0.055 : 12.92 * c
            return Int((e * 255).rounded())
        }
        // Linear values whose Lab is L = 116·cbrt(v) − 16 and a = b = 0 (grey): the kernel sees v.
        var mismatches = 0, count = 0
        var l: [Float] = [], zeros: [Float] = [], expected: [Int] = []
        for step in 0...20_000 {
            let v = pow(Double(step) / 20_000, 3)  // dense near black, where the curve is steepest
            let fy = v > 0.008856 ? cbrt(v) : 7.787 * v + 16.0 / 116.0
            l.append(Float(116 * fy - 16))
            zeros.append(0)
            expected.append(encoded(v))
        }
        var bytes = [UInt8](repeating: 0, count: 3 * l.count)
        LabConverter.labToSRGB8(l: l, a: zeros, b: zeros, count: l.count, into: &bytes)
        for (i, e) in expected.enumerated() {
            count += 1
            let got = Int(bytes[3 * i])
            #expect(abs(got - e) <= 1)
            if got != e { mismatches += 1 }
        }
        // Off by one only where Float rounding of L (and of the matrix) crosses a boundary.
        #expect(mismatches * 1000 <= count, "\(mismatches) of \(count) levels differ from the exact rounding")
    }
}
