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
        try image.pixels.withUnsafeBufferPointer { pixels throws(ImagingError) in
            try encode(pixels.baseAddress!, width: image.width, height: image.height, stride: image.width * 3,
                       iccProfile: iccProfile)
        }
    }

    /// Encodes the `width`×`height` RGB8 rectangle whose rows start `stride` bytes apart at `pixels`
    /// (a part of a larger image, for `SegmentedJPEG`'s re-encodes).
    func encode(_ pixels: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int,
                iccProfile: [UInt8]? = nil) throws(ImagingError) -> [UInt8] {
        guard (1...100).contains(options.quality) else {
            throw .invalidArgument("JPEG quality \(options.quality) is outside 1...100")
        }
        guard width > 0, height > 0, width <= 65_500, height <= 65_500, stride >= width * 3 else {
            throw .invalidArgument("JPEG cannot hold \(width)×\(height) pixels")
        }
        guard (0...65_535).contains(options.restartInterval) else {
            throw .invalidArgument("JPEG restart interval \(options.restartInterval) is outside 0...65535")
        }
        var cOptions = cjpeg_encode_options(
            quality: Int32(options.quality),
            subsampling_420: options.chromaSubsampling == .yuv420 ? 1 : 0,
            progressive: options.progressive ? 1 : 0,
            optimize_coding: options.optimizeCoding ? 1 : 0,
            restart_interval: Int32(options.restartInterval))
        var out: UnsafeMutablePointer<UInt8>? = nil
        var outLength = 0
        var message = [CChar](repeating: 0, count: 256)
        let icc = iccProfile ?? []
        let status = icc.withUnsafeBufferPointer { profile in
            message.withUnsafeMutableBufferPointer { text in
                cjpeg_encode_rgb(
                    pixels, UInt32(width), UInt32(height), stride,
                    &cOptions, profile.baseAddress, profile.count,
                    &out, &outLength, text.baseAddress, text.count)
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
