import CWebP

/// Decodes WebP (lossy, lossless, with alpha; still images) to upright RGB8 through libwebp,
/// applying the EXIF orientation of its EXIF chunk and handling alpha as `alphaPolicy` says.
/// An animated WebP is refused rather than cut to its first frame.
public struct WebPDecoder: Sendable {
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
        var info = cwebp_info()
        let header = cwebp_read_header(base, data.count, &info)
        guard header == Int32(CWEBP_OK.rawValue) else { throw Self.error(for: header, stage: "the header") }
        if info.has_animation != 0 {
            throw .unsupportedFeature(format: .webp, detail: "it is an animation; send one frame as a still image")
        }
        let width = Int(info.width), height = Int(info.height)
        try limits.check(format: .webp, width: width, height: height)
        let icc = CBuffers.copy(info.icc, info.icc_len)
        let orientation = CBuffers.copy(info.exif, info.exif_len).flatMap { EXIFReader.orientation(exifPayload: $0) } ?? .up

        let hasAlpha = info.has_alpha != 0
        let channels = hasAlpha ? 4 : 3
        let count = width * height * channels
        var status = Int32(CWEBP_OK.rawValue)
        let samples = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = cwebp_decode(base, data.count, Int32(channels), buffer.baseAddress!, count)
            initialized = status == Int32(CWEBP_OK.rawValue) ? count : 0
        }
        guard status == Int32(CWEBP_OK.rawValue) else { throw Self.error(for: status, stage: "the image data") }
        let (rgb, alpha) = hasAlpha
            ? RGBASamples.apply(alphaPolicy, to: samples, pixelCount: width * height, premultiplied: false)
            : (samples, nil)
        let upright = orientation.apply(to: rgb, width: width, height: height, channels: 3)
        return DecodedImage(
            image: RGBImage(width: upright.width, height: upright.height, pixels: upright.pixels),
            alpha: alpha.map { orientation.apply(to: $0, width: width, height: height, channels: 1).pixels },
            iccProfile: icc, orientation: orientation, format: .webp, hadAlpha: hasAlpha)
    }

    private static func error(for status: Int32, stage: String) -> ImagingError {
        switch UInt32(bitPattern: status) {
        case CWEBP_ERR_TRUNCATED.rawValue: .truncated(format: .webp, detail: "the data ends inside \(stage)")
        case CWEBP_ERR_NO_MEMORY.rawValue: .outOfMemory
        case CWEBP_ERR_UNSUPPORTED.rawValue: .unsupportedFeature(format: .webp, detail: "libwebp does not support a feature of \(stage)")
        default: .corrupt(format: .webp, detail: "libwebp cannot decode \(stage)")
        }
    }
}
