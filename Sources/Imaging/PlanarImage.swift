/// A float image stored plane by plane (CHW): channel c's pixel (x, y) is at
/// `data[c * width * height + y * width + x]`. The colour and inference code
/// works plane-wise, so each hot loop runs over one contiguous buffer.
public struct PlanarImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public var data: [Float]

    public var planeCount: Int { width * height }

    /// - Precondition: `data.count == channels * width * height`.
    public init(width: Int, height: Int, channels: Int, data: [Float]) {
        precondition(width >= 0 && height >= 0 && channels >= 0 && data.count == width * height * channels,
                     "PlanarImage: \(data.count) floats for \(channels)×\(height)×\(width)")
        self.width = width
        self.height = height
        self.channels = channels
        self.data = data
    }

    /// A zero-filled image.
    public init(width: Int, height: Int, channels: Int) {
        self.init(width: width, height: height, channels: channels,
                  data: [Float](repeating: 0, count: width * height * channels))
    }

    /// An image whose every element `body` writes. Skips zero-filling, which
    /// for a 12 MP, 3-plane image is 144 MB of stores nobody reads.
    init(width: Int, height: Int, channels: Int,
         initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = width * height * channels
        let data = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            initialized = count
        }
        self.init(width: width, height: height, channels: channels, data: data)
    }

    /// RGB8 to three planes in [0, 1] (value / 255).
    public init(_ rgb: RGBImage) {
        let n = rgb.width * rgb.height
        let data = [Float](unsafeUninitializedCapacity: n * 3) { out, initialized in
            rgb.pixels.withUnsafeBufferPointer { src in
                let r = out.baseAddress!, g = r + n, b = g + n
                let scale: Float = 1 / 255
                for i in 0..<n {
                    r[i] = Float(src[i * 3]) * scale
                    g[i] = Float(src[i * 3 + 1]) * scale
                    b[i] = Float(src[i * 3 + 2]) * scale
                }
            }
            initialized = n * 3
        }
        self.init(width: rgb.width, height: rgb.height, channels: 3, data: data)
    }

    /// Three planes in [0, 1] back to RGB8: clamped, ×255, rounded to nearest.
    /// NaN becomes 0.
    public func rgbImage() -> RGBImage {
        precondition(channels == 3, "rgbImage() needs 3 channels, not \(channels)")
        let n = planeCount
        let pixels = [UInt8](unsafeUninitializedCapacity: n * 3) { out, initialized in
            data.withUnsafeBufferPointer { src in
                let r = src.baseAddress!, g = r + n, b = g + n
                @inline(__always) func quantize(_ v: Float) -> UInt8 {
                    // Written so that NaN fails the first test and lands on 0.
                    let c: Float = v > 0 ? (v < 1 ? v : 1) : 0
                    return UInt8(c * 255 + 0.5)
                }
                for i in 0..<n {
                    out[i * 3] = quantize(r[i])
                    out[i * 3 + 1] = quantize(g[i])
                    out[i * 3 + 2] = quantize(b[i])
                }
            }
            initialized = n * 3
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
