import CAVIF

/// Encodes upright RGB8 to AVIF through libavif (4:2:0, full range, sRGB code points).
public struct AVIFEncoder: Sendable {
    /// 1-100, mapped to the AV1 quantizer as libavif 1.x maps its quality.
    public var quality: Int
    /// libavif's speed, 0 (slowest) to 10 (fastest). A noisy 12 MP photo at q 90, 2 threads (2 vCPU
    /// AMD EPYC, aom 3.6): speed 8 1.09 s for 2.04 MB, 9 0.50 s for 2.16 MB, 10 the same as 9.
    public var speed: Int
    public var threads: Int

    public init(quality: Int = 90, speed: Int = 9, threads: Int = 1) {
        self.quality = quality
        self.speed = speed
        self.threads = threads
    }

    /// The AV1 encoder libavif chose ("aom" on Debian).
    public static var codecName: String { String(cString: cavif_encoder_name()) }

    /// - Parameter iccProfile: written into a colr/prof box when given.
    public func encode(_ image: RGBImage, iccProfile: [UInt8]? = nil) throws(ImagingError) -> [UInt8] {
        guard (1...100).contains(quality) else { throw .invalidArgument("AVIF quality \(quality) is outside 1...100") }
        guard image.width > 0, image.height > 0 else { throw .invalidArgument("AVIF cannot hold \(image.width)×\(image.height) pixels") }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var outLength = 0
        var message = [CChar](repeating: 0, count: 256)
        let icc = iccProfile ?? []
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            icc.withUnsafeBufferPointer { profile in
                message.withUnsafeMutableBufferPointer { text in
                    cavif_encode_rgb(pixels.baseAddress, UInt32(image.width), UInt32(image.height), image.width * 3,
                                     Int32(quality), Int32(speed), Int32(max(1, threads)), profile.baseAddress, profile.count,
                                     &out, &outLength, text.baseAddress, text.count)
                }
            }
        }
        guard status == Int32(CAVIF_OK.rawValue), let out else {
            if status == Int32(CAVIF_ERR_NO_MEMORY.rawValue) { throw .outOfMemory }
            throw .encodingFailed(format: .avif, detail: String(cMessage: message))
        }
        defer { cavif_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: outLength))
    }
}
