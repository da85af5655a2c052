import CHEIF

/// Decodes the primary image of a HEIF file — HEIC (HEVC) or AVIF (AV1) — to upright RGB8 through
/// libheif. HEIF states orientation with its own transformation properties (irot, imir), which
/// libheif applies; an EXIF orientation inside the file describes the same turn and is not applied
/// a second time (as HEIF requires and Apple's and libvips's readers do). 10- and 12-bit images are
/// reduced to 8 bits; alpha follows `alphaPolicy`.
public struct HEIFDecoder: Sendable {
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
        let format = ImageFormat.heifFormat(brands: data) ?? .heic
        guard let handle = cheif_decoder_create(base, data.count) else {
            throw data.count > Int(Int32.max) ? .invalidArgument("a HEIF file over 2 GiB") : .outOfMemory
        }
        defer { cheif_decoder_destroy(handle) }
        var info = cheif_info()
        let header = cheif_decoder_read_header(handle, &info)
        guard header == Int32(CHEIF_OK.rawValue) else { throw Self.error(for: header, handle: handle, format: format) }
        // The coded size is what the codec allocates, the displayed one what we do: both bounded.
        try limits.check(format: format, width: Int(info.coded_width), height: Int(info.coded_height))
        let width = Int(info.width), height = Int(info.height)
        try limits.check(format: format, width: width, height: height)

        let hasAlpha = info.has_alpha != 0
        let channels = hasAlpha ? 4 : 3
        let count = width * height * channels
        var status = Int32(CHEIF_OK.rawValue)
        let samples = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = cheif_decoder_decode(handle, Int32(channels), buffer.baseAddress!, count)
            initialized = status == Int32(CHEIF_OK.rawValue) ? count : 0
        }
        guard status == Int32(CHEIF_OK.rawValue) else { throw Self.error(for: status, handle: handle, format: format) }
        let (rgb, alpha) = hasAlpha
            ? RGBASamples.apply(alphaPolicy, to: samples, pixelCount: width * height, premultiplied: info.premultiplied_alpha != 0)
            : (samples, nil)
        let nclx = info.has_nclx == 0 ? nil : NCLXColour(
            primaries: Int(info.nclx_primaries), transfer: Int(info.nclx_transfer), matrix: Int(info.nclx_matrix),
            fullRange: info.nclx_full_range != 0,
            primariesXY: withUnsafeBytes(of: info.nclx_primaries_xy) { Array($0.bindMemory(to: Float.self)) })
        return DecodedImage(
            image: RGBImage(width: width, height: height, pixels: rgb), alpha: alpha,
            iccProfile: CBuffers.copy(info.icc, info.icc_len), nclx: nclx, orientation: .up, format: format,
            hadAlpha: hasAlpha)
    }

    private static func error(for status: Int32, handle: OpaquePointer, format: ImageFormat) -> ImagingError {
        let message = String(cString: cheif_decoder_message(handle))
        switch UInt32(bitPattern: status) {
        case CHEIF_ERR_TRUNCATED.rawValue: return .truncated(format: format, detail: message)
        case CHEIF_ERR_NO_MEMORY.rawValue: return .outOfMemory
        case CHEIF_ERR_SIZE_LIMIT.rawValue: return .sizeLimit(format: format, detail: message)
        case CHEIF_ERR_UNSUPPORTED.rawValue: return .unsupportedFeature(format: format, detail: message)
        case CHEIF_ERR_DECODER.rawValue: return .corrupt(format: format, detail: "the image bitstream: \(message)")
        default: return .corrupt(format: format, detail: message)
        }
    }
}
