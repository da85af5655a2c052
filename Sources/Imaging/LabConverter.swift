#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// sRGB ↔ CIELab (D65, 2° observer), defined exactly as scikit-image's
/// `rgb2lab` / `lab2rgb` (same matrix, same thresholds 0.04045, 0.008856,
/// 0.2068966, 0.0031308, same clipping), computed in Float over planes.
///
/// The transcendental steps are replaced by cheap exact-enough forms so each
/// loop is plain arithmetic over contiguous memory: sRGB→linear by a 4096-entry
/// table with linear interpolation (error < 1e-7), the cube root by a bit-level
/// guess refined with two Halley steps (full Float precision), and
/// x^(1/2.4) = x^(5/12) = c·√√c with c = ∛x, the square roots by Newton
/// steps too. Without libm calls or branches, LLVM vectorises the loops.
public enum LabConverter {
    // D65 white, 2° observer (skimage's xyz_tristimulus_values).
    static let whiteX: Float = 0.95047
    static let whiteZ: Float = 1.08883

    /// Three sRGB planes in [0, 1] to L, a, b planes. Inputs outside [0, 1]
    /// (and NaN) are clamped first.
    public static func srgbToLab(_ image: PlanarImage) -> PlanarImage {
        precondition(image.channels == 3, "srgbToLab needs 3 channels, not \(image.channels)")
        let n = image.planeCount
        return image.data.withUnsafeBufferPointer { src in
            PlanarImage(width: image.width, height: image.height, channels: 3) { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                srgbToLab(red: s, green: s + n, blue: s + 2 * n, l: d, a: d + n, b: d + 2 * n, count: n)
            }
        }
    }

    /// L, a, b planes to sRGB planes in [0, 1] (clipped like skimage).
    public static func labToSRGB(_ image: PlanarImage) -> PlanarImage {
        precondition(image.channels == 3, "labToSRGB needs 3 channels, not \(image.channels)")
        let n = image.planeCount
        return image.data.withUnsafeBufferPointer { src in
            PlanarImage(width: image.width, height: image.height, channels: 3) { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                labToSRGB(l: s, a: s + n, b: s + 2 * n, red: d, green: d + n, blue: d + 2 * n, count: n)
            }
        }
    }

    /// The plane kernel, for callers holding their own buffers (tiles).
    /// Output planes may alias the input planes one for one (in place).
    public static func srgbToLab(
        red: UnsafePointer<Float>, green: UnsafePointer<Float>, blue: UnsafePointer<Float>,
        l: UnsafeMutablePointer<Float>, a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        // Two passes: the table lookups (gathers, scalar) first, into the
        // output planes; then branch-free arithmetic the compiler vectorises.
        linearTable.withUnsafeBufferPointer { table in
            let lut = table.baseAddress!
            for i in 0..<count { l[i] = toLinear(red[i], lut) }
            for i in 0..<count { a[i] = toLinear(green[i], lut) }
            for i in 0..<count { b[i] = toLinear(blue[i], lut) }
        }
        for i in 0..<count {
            let r = l[i], g = a[i], bl = b[i]
            let x = (0.412453 * r + 0.357580 * g + 0.180423 * bl) * (1 / whiteX)
            let y = 0.212671 * r + 0.715160 * g + 0.072169 * bl
            let z = (0.019334 * r + 0.119193 * g + 0.950227 * bl) * (1 / whiteZ)
            let fx = labF(x), fy = labF(y), fz = labF(z)
            l[i] = 116 * fy - 16
            a[i] = 500 * (fx - fy)
            b[i] = 200 * (fy - fz)
        }
    }

    /// The plane kernel, for callers holding their own buffers (tiles).
    /// Output planes may alias the input planes one for one (in place).
    public static func labToSRGB(
        l: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        red: UnsafeMutablePointer<Float>, green: UnsafeMutablePointer<Float>, blue: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        // Linear RGB first, then the gamma curve one plane at a time: a loop
        // over a single pointer vectorises without aliasing checks.
        for i in 0..<count {
            let fy = (l[i] + 16) * (1 / 116)
            let fx = a[i] * (1 / 500) + fy
            let fzRaw = fy - b[i] * (1 / 200)
            let fz: Float = fzRaw < 0 ? 0 : fzRaw  // skimage clips negative Z to zero
            let x = labFInverse(fx) * whiteX
            let y = labFInverse(fy)
            let z = labFInverse(fz) * whiteZ
            // skimage's rgb_from_xyz = inv(xyz_from_rgb), in full precision.
            red[i] = 3.2404813432005266 * x - 1.5371515162713185 * y - 0.4985363261688878 * z
            green[i] = -0.9692549499965682 * x + 1.8759900014898907 * y + 0.04155592655829284 * z
            blue[i] = 0.05564663913517716 * x - 0.20404133836651123 * y + 1.0573110696453443 * z
        }
        for plane in [red, green, blue] {
            for i in 0..<count { plane[i] = toGamma(plane[i]) }
        }
    }

    // MARK: - Pieces

    static let tableSize = 4096

    /// sRGB→linear at tableSize+1 evenly spaced points of [0, 1], in Double
    /// then rounded once.
    static let linearTable: [Float] = (0...tableSize).map { i in
        let v = Double(i) / Double(tableSize)
        let linear = v > 0.04045 ? pow((v + 0.055) / 1.055, 2.4) : v / 12.92
        return Float(linear)
    }

    @inline(__always)
    static func toLinear(_ v: Float, _ lut: UnsafePointer<Float>) -> Float {
        // Written so that NaN fails the first test and lands on 0.
        let c: Float = v > 0 ? (v < 1 ? v : 1) : 0
        let t = c * Float(tableSize)
        let i = min(Int(t), tableSize - 1)
        let f = t - Float(i)
        return lut[i] + f * (lut[i + 1] - lut[i])
    }

    // The piecewise functions evaluate both branches and select, and avoid
    // libm: `squareRoot()` lowers to sqrtss plus a call to sqrtf for the
    // errno case, and that call alone stops LLVM from vectorising the loop.

    @inline(__always)
    static func labF(_ t: Float) -> Float {
        let above = t > 0.008856
        let root = cubeRoot(above ? t : 0.008856)
        return above ? root : 7.787 * t + 16.0 / 116.0
    }

    @inline(__always)
    static func labFInverse(_ t: Float) -> Float {
        t > 0.2068966 ? t * t * t : (t - 16.0 / 116.0) * (1 / 7.787)
    }

    @inline(__always)
    static func toGamma(_ v: Float) -> Float {
        let above = v > 0.0031308
        let c = cubeRoot(above ? v : 0.0031308)
        let encoded = 1.055 * (c * squareRoot(squareRoot(c))) - 0.055
        let result = above ? encoded : 12.92 * v
        // Clip to [0, 1] like skimage; NaN stays NaN (rgbImage() maps it to 0).
        return result < 0 ? 0 : (result > 1 ? 1 : result)
    }

    /// √x for positive, normal x as x · x^(−1/2), the reciprocal root from
    /// the classic bit-level guess (within 3.5%) and three Newton steps, each
    /// squaring the relative error.
    @inline(__always)
    static func squareRoot(_ x: Float) -> Float {
        var r = Float(bitPattern: 0x5F37_59DF &- (x.bitPattern >> 1))
        let half = 0.5 * x
        r = r * (1.5 - half * r * r)
        r = r * (1.5 - half * r * r)
        r = r * (1.5 - half * r * r)
        return x * r
    }

    /// ∛x for positive, normal x: the classic exponent-thirding guess (within
    /// ~4%), then two Halley steps, each roughly cubing the relative error.
    @inline(__always)
    static func cubeRoot(_ x: Float) -> Float {
        var y = Float(bitPattern: x.bitPattern / 3 &+ 709_921_077)
        var y3 = y * y * y
        y = y * (y3 + 2 * x) / (2 * y3 + x)
        y3 = y * y * y
        y = y * (y3 + 2 * x) / (2 * y3 + x)
        return y
    }
}
