import CJPEG

/// Encodes upright RGB8 to JPEG through libjpeg-turbo. No EXIF is written,
/// so the output has no orientation tag: its pixels are already upright.
public struct JPEGEncoder: Sendable {
    public var options: JPEGEncodeOptions

    public init(options: JPEGEncodeOptions = JPEGEncodeOptions()) {
        self.options = options
    }

    /// - Parameter iccProfile: written unchanged (APP2 chunks) when given,
    ///   typically the profile the upload carried.
    public func encode(_ image: RGBImage, iccProfile: [UInt8]? = nil) throws(ImagingError) -> [UInt8] {
        guard (1...100).contains(options.quality) else {
            throw .invalidArgument("JPEG quality \(options.quality) is outside 1...100")
        }
        guard image.width > 0, image.height > 0, image.width <= 65_500, image.height <= 65_500 else {
            throw .invalidArgument("JPEG cannot hold \(image.width)×\(image.height) pixels")
        }
        var cOptions = cjpeg_encode_options(
            quality: Int32(options.quality),
            subsampling_420: options.chromaSubsampling == .yuv420 ? 1 : 0,
            progressive: options.progressive ? 1 : 0,
            optimize_coding: options.optimizeCoding ? 1 : 0)
        var out: UnsafeMutablePointer<UInt8>? = nil
        var outLength = 0
        var message = [CChar](repeating: 0, count: 256)
        let icc = iccProfile ?? []
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            icc.withUnsafeBufferPointer { profile in
                message.withUnsafeMutableBufferPointer { text in
                    cjpeg_encode_rgb(
                        pixels.baseAddress, UInt32(image.width), UInt32(image.height), image.width * 3,
                        &cOptions, profile.baseAddress, profile.count,
                        &out, &outLength, text.baseAddress, text.count)
                }
            }
        }
        guard status == Int32(CJPEG_OK.rawValue), let out else {
            if status == Int32(CJPEG_ERR_NO_MEMORY.rawValue) { throw .outOfMemory }
            throw .encodingFailed(format: .jpeg, detail: String(cMessage: message))
        }
        defer { cjpeg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: outLength))
    }
}
