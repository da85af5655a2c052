import CWebP

/// Encodes upright RGB8 to WebP through libwebp: lossy (VP8, the photo preset) or lossless (VP8L).
public struct WebPEncoder: Sendable {
    /// 1-100: the lossy quality, or for lossless the effort spent on compression.
    public var quality: Int
    public var lossless: Bool
    /// libwebp's method, 0 (fastest) to 6 (smallest). Lossy at q 90 on a noisy 12 MP photo (2 vCPU
    /// AMD EPYC): method 2 0.56 s for 1.74 MB, 3 1.30 s for 1.79 MB, 4 (libwebp's default) 1.32 s for
    /// 1.80 MB: from 3 on libwebp spends its rate-distortion passes, which at this quality bought
    /// nothing in size. Lossless keeps libwebp's default, 4.
    public var method: Int

    /// The effort of a lossless answer. A noisy 12 MP photo (2 vCPU AMD EPYC, method 4): effort 25
    /// 3.1 s for 9.9 MB, 50 5.1 s for 8.8 MB, 10 2.5 s for 9.9 MB; 25 is the knee.
    public static let losslessEffort = 25

    public init(quality: Int = 90, lossless: Bool = false, method: Int? = nil) {
        self.quality = quality
        self.lossless = lossless
        self.method = method ?? (lossless ? 4 : 2)
    }

    /// - Parameter iccProfile: written into an ICCP chunk (the extended format) when given.
    public func encode(_ image: RGBImage, iccProfile: [UInt8]? = nil) throws(ImagingError) -> [UInt8] {
        guard (1...100).contains(quality) else { throw .invalidArgument("WebP quality \(quality) is outside 1...100") }
        // WebP stores each side in 14 bits.
        guard image.width > 0, image.height > 0, image.width <= 16_383, image.height <= 16_383 else {
            throw .encodingFailed(format: .webp, detail: "WebP holds at most 16383 pixels a side, the photo is \(image.width)×\(image.height)")
        }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var outLength = 0
        var message = [CChar](repeating: 0, count: 256)
        let icc = iccProfile ?? []
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            icc.withUnsafeBufferPointer { profile in
                message.withUnsafeMutableBufferPointer { text in
                    cwebp_encode_rgb(pixels.baseAddress, Int32(image.width), Int32(image.height), image.width * 3,
                                     Int32(quality), lossless ? 1 : 0, Int32(method), profile.baseAddress, profile.count,
                                     &out, &outLength, text.baseAddress, text.count)
                }
            }
        }
        guard status == Int32(CWEBP_OK.rawValue), let out else {
            if status == Int32(CWEBP_ERR_NO_MEMORY.rawValue) { throw .outOfMemory }
            throw .encodingFailed(format: .webp, detail: String(cMessage: message))
        }
        defer { cwebp_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: outLength))
    }
}
