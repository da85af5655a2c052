/// Interleaved 8-bit RGBA as decoders produce it, turned into RGB8 (and an alpha plane) by an
/// `AlphaPolicy`. PNG, WebP and HEIF give straight (unassociated) alpha; libtiff's RGBA interface
/// gives it premultiplied.
enum RGBASamples {
    static func apply(_ policy: AlphaPolicy, to rgba: [UInt8], pixelCount: Int, premultiplied: Bool) -> (rgb: [UInt8], alpha: [UInt8]?) {
        switch policy {
        case let .composite(red, green, blue):
            return (composite(rgba: rgba, pixelCount: pixelCount, background: (red, green, blue), premultiplied: premultiplied), nil)
        case .preserve:
            let (rgb, alpha) = split(rgba: rgba, pixelCount: pixelCount, premultiplied: premultiplied)
            return (rgb, alpha)
        }
    }

    /// Straight: `round((c·a + bg·(255−a)) / 255)`; premultiplied (c already c·a/255):
    /// `c + round(bg·(255−a) / 255)`. (x + 127) / 255 is exact rounding because the numerator is an
    /// integer that is never a half-multiple of 255.
    static func composite(rgba: [UInt8], pixelCount: Int, background: (UInt8, UInt8, UInt8), premultiplied: Bool = false) -> [UInt8] {
        let bg = (UInt32(background.0), UInt32(background.1), UInt32(background.2))
        return [UInt8](unsafeUninitializedCapacity: pixelCount * 3) { out, initialized in
            rgba.withUnsafeBufferPointer { src in
                for i in 0..<pixelCount {
                    let s = i * 4, d = i * 3
                    let a = UInt32(src[s + 3]), na = 255 - a
                    if premultiplied {
                        out[d] = UInt8(min(255, UInt32(src[s]) + (bg.0 * na + 127) / 255))
                        out[d + 1] = UInt8(min(255, UInt32(src[s + 1]) + (bg.1 * na + 127) / 255))
                        out[d + 2] = UInt8(min(255, UInt32(src[s + 2]) + (bg.2 * na + 127) / 255))
                    } else {
                        out[d] = UInt8((UInt32(src[s]) * a + bg.0 * na + 127) / 255)
                        out[d + 1] = UInt8((UInt32(src[s + 1]) * a + bg.1 * na + 127) / 255)
                        out[d + 2] = UInt8((UInt32(src[s + 2]) * a + bg.2 * na + 127) / 255)
                    }
                }
            }
            initialized = pixelCount * 3
        }
    }

    /// Colour (straight: premultiplied samples are divided back, `round(c·255 / a)`) and alpha apart.
    static func split(rgba: [UInt8], pixelCount: Int, premultiplied: Bool = false) -> (rgb: [UInt8], alpha: [UInt8]) {
        var alpha = [UInt8](repeating: 0, count: pixelCount)
        let rgb = [UInt8](unsafeUninitializedCapacity: pixelCount * 3) { out, initialized in
            rgba.withUnsafeBufferPointer { src in
                alpha.withUnsafeMutableBufferPointer { a in
                    for i in 0..<pixelCount {
                        let value = src[i * 4 + 3]
                        a[i] = value
                        for c in 0..<3 {
                            let sample = src[i * 4 + c]
                            out[i * 3 + c] = premultiplied && value < 255
                                ? (value == 0 ? 0 : UInt8(min(255, (UInt32(sample) * 255 + UInt32(value) / 2) / UInt32(value))))
                                : sample
                        }
                    }
                }
            }
            initialized = pixelCount * 3
        }
        return (rgb, alpha)
    }
}
