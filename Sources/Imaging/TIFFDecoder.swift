import CTIFF

/// Decodes the first image of a TIFF (every layout libtiff's RGBA interface reads: gray, palette,
/// RGB, YCbCr, CMYK, CIE Lab; 1–16 bits; strips or tiles; any compression it has) to upright RGB8,
/// applying its Orientation tag and handling alpha as `alphaPolicy` says.
public struct TIFFDecoder: Sendable {
    public var limits: DecodeLimits
    public var alphaPolicy: AlphaPolicy

    public init(limits: DecodeLimits = .standard, alphaPolicy: AlphaPolicy = .compositeOverWhite) {
        self.limits = limits
        self.alphaPolicy = alphaPolicy
    }

    public func decode(_ bytes: [UInt8]) throws(ImagingError) -> DecodedImage {
        try CBuffers.withBytes(bytes) { raw throws(ImagingError) in try decode(raw) }
    }

    /// `data` is only borrowed for the duration of the call.
    public func decode(_ data: UnsafeRawBufferPointer) throws(ImagingError) -> DecodedImage {
        guard let base = data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count > 0 else { throw .emptyInput }
        guard let handle = ctiff_decoder_create(base, data.count, max(0, limits.maxDecoderMemory)) else { throw .outOfMemory }
        defer { ctiff_decoder_destroy(handle) }
        var info = ctiff_info()
        let header = ctiff_decoder_read_header(handle, &info)
        guard header == Int32(CTIFF_OK.rawValue) else { throw Self.error(for: header, handle: handle, limit: limits.maxDecoderMemory) }
        let width = Int(info.width), height = Int(info.height)
        try limits.check(format: .tiff, width: width, height: height)
        let orientation = ExifOrientation(rawValue: Int(info.orientation)) ?? .up
        let icc = CBuffers.copy(info.icc, info.icc_len)

        let count = width * height * 4
        var status = Int32(CTIFF_OK.rawValue)
        let rgba = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = ctiff_decoder_decode_rgba(handle, buffer.baseAddress!, count)
            initialized = status == Int32(CTIFF_OK.rawValue) ? count : 0
        }
        guard status == Int32(CTIFF_OK.rawValue) else { throw Self.error(for: status, handle: handle, limit: limits.maxDecoderMemory) }
        let hasAlpha = info.has_alpha != 0
        let (rgb, alpha) = hasAlpha
            ? RGBASamples.apply(alphaPolicy, to: rgba, pixelCount: width * height, premultiplied: true)
            : (Self.dropAlpha(rgba, pixelCount: width * height), nil)
        let upright = orientation.apply(to: rgb, width: width, height: height, channels: 3)
        // PHOTOMETRIC_MINISWHITE (0) and MINISBLACK (1) with one sample: a gray image.
        let gray = info.samples_per_pixel - (hasAlpha ? 1 : 0) == 1 && (info.photometric == 0 || info.photometric == 1)
        return DecodedImage(
            image: RGBImage(width: upright.width, height: upright.height, pixels: upright.pixels),
            alpha: alpha.map { orientation.apply(to: $0, width: width, height: height, channels: 1).pixels },
            iccProfile: icc, orientation: orientation, format: .tiff, hadAlpha: hasAlpha, isGrayscale: gray)
    }

    private static func dropAlpha(_ rgba: [UInt8], pixelCount: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: pixelCount * 3) { out, initialized in
            rgba.withUnsafeBufferPointer { src in
                for i in 0..<pixelCount {
                    out[i * 3] = src[i * 4]
                    out[i * 3 + 1] = src[i * 4 + 1]
                    out[i * 3 + 2] = src[i * 4 + 2]
                }
            }
            initialized = pixelCount * 3
        }
    }

    private static func error(for status: Int32, handle: OpaquePointer, limit: Int) -> ImagingError {
        let message = String(cString: ctiff_decoder_message(handle))
        switch UInt32(bitPattern: status) {
        case CTIFF_ERR_TRUNCATED.rawValue: return .truncated(format: .tiff, detail: message)
        case CTIFF_ERR_NO_MEMORY.rawValue: return .outOfMemory
        case CTIFF_ERR_MEMORY_LIMIT.rawValue: return .decoderMemoryLimit(limit: limit)
        case CTIFF_ERR_UNSUPPORTED.rawValue: return .unsupportedFeature(format: .tiff, detail: message)
        default: return .corrupt(format: .tiff, detail: message)
        }
    }
}
