import CJPEG

/// Decodes baseline and progressive JPEG (grayscale, YCbCr, RGB, CMYK, YCCK)
/// to upright RGB8 through libjpeg-turbo.
public struct JPEGDecoder: Sendable {
    public var limits: DecodeLimits

    public init(limits: DecodeLimits = .standard) {
        self.limits = limits
    }

    public func decode(_ bytes: [UInt8]) throws(ImagingError) -> DecodedImage {
        try CBuffers.withBytes(bytes) { raw throws(ImagingError) in try decode(raw) }
    }

    /// `data` is only borrowed for the duration of the call.
    public func decode(_ data: UnsafeRawBufferPointer) throws(ImagingError) -> DecodedImage {
        guard let base = data.baseAddress, data.count > 0 else { throw .emptyInput }
        guard let handle = cjpeg_decoder_create(
            base.assumingMemoryBound(to: UInt8.self), data.count,
            Int32(clamping: limits.maxProgressiveScans), limits.maxDecoderMemory
        ) else { throw .outOfMemory }
        defer { cjpeg_decoder_destroy(handle) }

        var info = cjpeg_info()
        let headerStatus = cjpeg_decoder_read_header(handle, &info)
        guard headerStatus == Int32(CJPEG_OK.rawValue) else {
            throw error(for: headerStatus, handle: handle, declared: info)
        }
        let width = Int(info.width), height = Int(info.height)
        // The bomb check: nothing of pixel size has been allocated yet.
        try limits.check(format: .jpeg, width: width, height: height)

        switch Int(info.color_space) {
        case Int(CJPEG_CS_GRAY.rawValue), Int(CJPEG_CS_RGB.rawValue), Int(CJPEG_CS_YCBCR.rawValue),
             Int(CJPEG_CS_CMYK.rawValue), Int(CJPEG_CS_YCCK.rawValue):
            break
        default:
            throw .unsupportedColorSpace(
                components: Int(info.num_components),
                detail: "no known colour space has \(info.num_components) components")
        }
        let exif = CBuffers.copy(info.exif, info.exif_len)
        let icc = CBuffers.copy(info.icc, info.icc_len)
        let orientation = exif.flatMap { EXIFReader.orientation(tiff: $0) } ?? .up

        let count = width * height * 3
        var status = Int32(CJPEG_OK.rawValue)
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = cjpeg_decoder_decode_rgb(handle, buffer.baseAddress!, count)
            // Bytes are discarded on failure; claiming none keeps the array honest.
            initialized = status == Int32(CJPEG_OK.rawValue) ? count : 0
        }
        guard status == Int32(CJPEG_OK.rawValue) else {
            throw error(for: status, handle: handle, declared: info)
        }
        let upright = orientation.apply(to: pixels, width: width, height: height, channels: 3)
        return DecodedImage(
            image: RGBImage(width: upright.width, height: upright.height, pixels: upright.pixels),
            iccProfile: icc, orientation: orientation, format: .jpeg, isGrayscale: info.num_components == 1)
    }

    private func error(for status: Int32, handle: OpaquePointer, declared: cjpeg_info) -> ImagingError {
        let message = String(cString: cjpeg_decoder_message(handle))
        let width = Int(declared.width), height = Int(declared.height)
        switch UInt32(bitPattern: status) {
        case CJPEG_ERR_TRUNCATED.rawValue:
            return .truncated(format: .jpeg, detail: message)
        case CJPEG_ERR_CORRUPT.rawValue, CJPEG_ERR_LIBRARY.rawValue:
            return .corrupt(format: .jpeg, detail: message)
        case CJPEG_ERR_TOO_MANY_SCANS.rawValue:
            return .tooManyProgressiveScans(limit: limits.maxProgressiveScans)
        case CJPEG_ERR_MEMORY_LIMIT.rawValue:
            return .decoderMemoryLimit(limit: limits.maxDecoderMemory)
        case CJPEG_ERR_EMPTY_IMAGE.rawValue:
            return .zeroDimensions(format: .jpeg, width: width, height: height)
        case CJPEG_ERR_TOO_BIG.rawValue:
            // libjpeg's own 65 500-pixel cap fired before ours could.
            return .sideTooLarge(format: .jpeg, width: width, height: height,
                                 maxSide: min(limits.maxSide, 65_500))
        case CJPEG_ERR_NO_MEMORY.rawValue:
            return .outOfMemory
        default:
            return .corrupt(format: .jpeg, detail: "decoder state error: \(message)")
        }
    }
}
