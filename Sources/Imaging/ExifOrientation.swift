/// The EXIF Orientation tag (0x0112): how the stored pixels must be
/// transformed to appear upright. Names follow CGImagePropertyOrientation.
public enum ExifOrientation: Int, Sendable, Equatable, CaseIterable {
    case up = 1
    case upMirrored = 2
    case down = 3
    case downMirrored = 4
    case leftMirrored = 5
    case right = 6
    case rightMirrored = 7
    case left = 8

    /// Orientations 5–8 exchange width and height.
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// Applies the orientation to interleaved 8-bit pixels with `channels`
    /// samples each, returning upright pixels and their size.
    public func apply(to pixels: [UInt8], width: Int, height: Int, channels: Int)
        -> (pixels: [UInt8], width: Int, height: Int)
    {
        precondition(pixels.count == width * height * channels)
        if self == .up { return (pixels, width, height) }
        let (outWidth, outHeight) = swapsDimensions ? (height, width) : (width, height)
        // Each output pixel (x, y) reads source pixel origin + x·stepX + y·stepY
        // (in pixels), which turns all eight cases into one strided copy.
        let w = width, h = height
        let (origin, stepX, stepY): (Int, Int, Int)
        switch self {
        case .up: (origin, stepX, stepY) = (0, 1, w)
        case .upMirrored: (origin, stepX, stepY) = (w - 1, -1, w)
        case .down: (origin, stepX, stepY) = ((w - 1) + (h - 1) * w, -1, -w)
        case .downMirrored: (origin, stepX, stepY) = ((h - 1) * w, 1, -w)
        case .leftMirrored: (origin, stepX, stepY) = (0, w, 1)
        case .right: (origin, stepX, stepY) = ((h - 1) * w, -w, 1)
        case .rightMirrored: (origin, stepX, stepY) = ((w - 1) + (h - 1) * w, -w, -1)
        case .left: (origin, stepX, stepY) = (w - 1, w, -1)
        }
        let out = [UInt8](unsafeUninitializedCapacity: pixels.count) { dst, initialized in
            pixels.withUnsafeBufferPointer { src in
                let s = src.baseAddress!, d = dst.baseAddress!
                var o = 0
                for y in 0..<outHeight {
                    var i = origin + y * stepY
                    switch channels {
                    case 1:
                        for _ in 0..<outWidth { d[o] = s[i]; o += 1; i += stepX }
                    case 3:
                        for _ in 0..<outWidth {
                            let p = i * 3
                            d[o] = s[p]; d[o + 1] = s[p + 1]; d[o + 2] = s[p + 2]
                            o += 3; i += stepX
                        }
                    default:
                        for _ in 0..<outWidth {
                            let p = i * channels
                            for c in 0..<channels { d[o + c] = s[p + c] }
                            o += channels; i += stepX
                        }
                    }
                }
            }
            initialized = pixels.count
        }
        return (out, outWidth, outHeight)
    }
}
