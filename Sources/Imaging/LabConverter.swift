#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CColourSpace

/// sRGB ↔ CIELab (D65, 2° observer), defined exactly as scikit-image's
/// `rgb2lab` / `lab2rgb` (same matrix, same thresholds 0.04045, 0.008856,
/// 0.2068966, 0.0031308, same clipping), computed in Float, over planes or
/// over rows of interleaved bytes. The arithmetic is the C target
/// CColourSpace's (colour_space.h says how the transcendental steps are
/// done): one implementation, compiled per CPU level, for every caller.
public enum LabConverter {
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
        linearTable.withUnsafeBufferPointer { table in
            sa_srgb_to_lab(red, green, blue, table.baseAddress, l, a, b, count)
        }
    }

    /// The plane kernel, for callers holding their own buffers (tiles).
    /// Output planes may alias the input planes one for one (in place).
    public static func labToSRGB(
        l: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        red: UnsafeMutablePointer<Float>, green: UnsafeMutablePointer<Float>, blue: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        sa_lab_to_srgb(l, a, b, red, green, blue, count)
    }

    /// `count` interleaved 8-bit sRGB pixels (R, G, B bytes) to L, a, b
    /// rows: the row form of `srgbToLab` for callers that keep the photo as
    /// RGB8 and convert it a row at a time (the streamed colour pass). The
    /// same values as `srgbToLab` of the planes value / 255, up to the 4096
    /// table's interpolation error (< 1e-7): 8-bit input needs no
    /// interpolation, its 256 linear values are tabulated exactly.
    public static func srgb8ToLab(
        _ pixels: UnsafePointer<UInt8>, l: UnsafeMutablePointer<Float>, a: UnsafeMutablePointer<Float>,
        b: UnsafeMutablePointer<Float>, count: Int
    ) {
        linear8Table.withUnsafeBufferPointer { table in
            sa_srgb8_to_lab(pixels, table.baseAddress, l, a, b, count)
        }
    }

    /// L, a, b rows to `count` interleaved 8-bit sRGB pixels, quantised as
    /// `PlanarImage.rgbImage()` does (clipped, ×255, rounded; NaN to 0), but
    /// rounded on the exact transfer curve by table (colour_space.h) instead
    /// of evaluating it: where the float curve's own error (~1e-7) straddles a
    /// rounding boundary the two may differ by one level.
    public static func labToSRGB8(
        l: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        count: Int, into pixels: UnsafeMutablePointer<UInt8>
    ) {
        encode8LevelFloor.withUnsafeBufferPointer { floor in
            encode8Thresholds.withUnsafeBufferPointer { threshold in
                sa_lab_to_srgb8(l, a, b, floor.baseAddress, threshold.baseAddress, pixels, count)
            }
        }
    }

    // MARK: - Tables

    /// sRGB→linear at SA_LINEAR_TABLE_SIZE + 1 evenly spaced points of
    /// [0, 1], in Double then rounded once (interpolated: error < 1e-7).
    static let linearTable: [Float] = (0...Int(SA_LINEAR_TABLE_SIZE)).map { i in
        linear(Double(i) / Double(SA_LINEAR_TABLE_SIZE))
    }

    /// sRGB→linear of the 256 byte values v / 255.
    static let linear8Table: [Float] = (0...255).map { linear(Double($0) / 255) }

    /// linear(sRGB (q + 0.5) / 255) for q < 255, then +inf: a linear value
    /// v encodes to the first level q with v < threshold[q].
    static let encode8Thresholds: [Float] = (0..<255).map { linear((Double($0) + 0.5) / 255) } + [.infinity]

    /// The level of the smallest float whose top 16 bits are the index, for
    /// the floats of [0, 1] (index 0x3F80 is 1.0).
    static let encode8LevelFloor: [UInt8] = {
        // The first level whose threshold lies above v, by the thresholds themselves so that the
        // table and the kernel's comparisons agree exactly; v grows with the index, so q only rises.
        var table = [UInt8](repeating: 0, count: Int(SA_ENCODE_TABLE_SIZE))
        var q = 0
        for index in table.indices {
            let v = Float(bitPattern: UInt32(index) << 16)
            while q < 255 && v >= encode8Thresholds[q] { q += 1 }
            table[index] = UInt8(q)
        }
        return table
    }()

    private static func linear(_ v: Double) -> Float {
        Float(v > 0.04045 ? pow((v + 0.055) / 1.055, 2.4) : v / 12.92)
    }
}
