import CPNG

/// Decodes PNG (gray, gray+alpha, palette, RGB, RGBA; 1–16 bit; interlaced)
/// to upright RGB8 through libpng, handling alpha as `alphaPolicy` says.
public struct PNGDecoder: Sendable {
    public var limits: DecodeLimits
    public var alphaPolicy: AlphaPolicy
    /// Whether an 8-bit, non-interlaced image stored in the layout asked for is inflated by libdeflate
    /// (CPNG's direct path; anything it cannot finish goes to libpng). Off only to compare the paths.
    public var inflatesDirectly = true

    public init(limits: DecodeLimits = .standard, alphaPolicy: AlphaPolicy = .compositeOverWhite) {
        self.limits = limits
        self.alphaPolicy = alphaPolicy
    }

    public func decode(_ bytes: [UInt8]) throws(ImagingError) -> DecodedImage {
        try CBuffers.withBytes(bytes) { raw throws(ImagingError) in try decode(raw) }
    }

    /// `data` is only borrowed for the duration of the call.
    public func decode(_ data: UnsafeRawBufferPointer) throws(ImagingError) -> DecodedImage {
        try withHeader(data) { handle, info, icc, orientation throws(ImagingError) in
            let width = Int(info.width), height = Int(info.height)
            let hasAlpha = info.has_alpha != 0
            let channels = hasAlpha ? 4 : 3
            let decoded = try Self.samples(handle, width: width, height: height, channels: channels)

            let (rgb, alpha) = hasAlpha
                ? RGBASamples.apply(alphaPolicy, to: decoded, pixelCount: width * height, premultiplied: false)
                : (decoded, nil)
            let upright = orientation.apply(to: rgb, width: width, height: height, channels: 3)
            let uprightAlpha = alpha.map { orientation.apply(to: $0, width: width, height: height, channels: 1).pixels }
            return DecodedImage(
                image: RGBImage(width: upright.width, height: upright.height, pixels: upright.pixels),
                alpha: uprightAlpha, iccProfile: icc, orientation: orientation, format: .png, hadAlpha: hasAlpha,
                isGrayscale: info.color_type & 2 == 0)  // PNG_COLOR_MASK_COLOR clear: types 0 and 4
        }
    }

    /// The upright 8-bit samples of a gray PNG without transparency (colour type 0, any bit depth),
    /// one byte per pixel and no RGB expansion: label maps are sent this way, at the photo's size.
    /// Nil for any other kind of PNG (decode it with `decode`); errors as `decode`.
    public func decodeGrayscale(_ bytes: [UInt8]) throws(ImagingError) -> GrayImage? {
        try decodeGrayscaleSamples(bytes)?.image
    }

    /// `decodeGrayscale`, and whether the image is exactly the file's stored samples: 8 bits deep
    /// and no orientation to apply, so that the file itself is a faithful encoding of it (a label
    /// map can then be handed back as it came, without encoding it again).
    public func decodeGrayscaleSamples(_ bytes: [UInt8]) throws(ImagingError) -> (image: GrayImage, storedAsIs: Bool)? {
        try CBuffers.withBytes(bytes) { data throws(ImagingError) in
            try withHeader(data) { handle, info, _, orientation throws(ImagingError) -> (image: GrayImage, storedAsIs: Bool)? in
                guard info.color_type == 0, info.has_alpha == 0 else { return nil }
                let width = Int(info.width), height = Int(info.height)
                let gray = try Self.samples(handle, width: width, height: height, channels: 1)
                let upright = orientation.apply(to: gray, width: width, height: height, channels: 1)
                return (GrayImage(width: upright.width, height: upright.height, pixels: upright.pixels),
                        info.bit_depth == 8 && orientation == .up)
            }
        }
    }

    /// The samples as `decode` gets them from the shim (no alpha policy, no orientation), and whether
    /// the direct path produced them: for comparing the two paths.
    func storedSamples(_ bytes: [UInt8], channels: Int) throws(ImagingError) -> (samples: [UInt8], direct: Bool) {
        try CBuffers.withBytes(bytes) { data throws(ImagingError) in
            try withHeader(data) { handle, info, _, _ throws(ImagingError) in
                let samples = try Self.samples(handle, width: Int(info.width), height: Int(info.height), channels: channels)
                return (samples, cpng_decoder_decoded_directly(handle) != 0)
            }
        }
    }

    /// Checks the declared size, opens libpng on `data` and reads the header, then hands the handle
    /// (valid during `body`), the header, the ICC profile and the EXIF orientation to `body`.
    private func withHeader<R>(
        _ data: UnsafeRawBufferPointer,
        _ body: (OpaquePointer, cpng_info, [UInt8]?, ExifOrientation) throws(ImagingError) -> R
    ) throws(ImagingError) -> R {
        guard let base = data.baseAddress, data.count > 0 else { throw .emptyInput }
        // Read the declared size ourselves first: the limit error can then say
        // what was declared, and libpng never sees a bomb's IHDR.
        let (declaredWidth, declaredHeight) = try Self.preflight(data, maxChunkBytes: limits.maxChunkBytes)
        try limits.check(format: .png, width: declaredWidth, height: declaredHeight)

        let side = UInt32(clamping: limits.maxSide)
        guard let handle = cpng_decoder_create(
            base.assumingMemoryBound(to: UInt8.self), data.count, side, side, max(0, limits.maxChunkBytes)
        ) else { throw .outOfMemory }
        defer { cpng_decoder_destroy(handle) }
        cpng_decoder_set_direct(handle, inflatesDirectly ? 1 : 0)

        var info = cpng_info()
        let headerStatus = cpng_decoder_read_header(handle, &info)
        guard headerStatus == Int32(CPNG_OK.rawValue) else { throw Self.error(for: headerStatus, handle: handle) }
        try limits.check(format: .png, width: Int(info.width), height: Int(info.height))
        let icc = CBuffers.copy(info.icc, info.icc_len)
        let orientation = CBuffers.copy(info.exif, info.exif_len).flatMap { EXIFReader.orientation(tiff: $0) } ?? .up
        return try body(handle, info, icc, orientation)
    }

    /// All pixels as `channels` interleaved bytes.
    private static func samples(_ handle: OpaquePointer, width: Int, height: Int, channels: Int) throws(ImagingError) -> [UInt8] {
        let count = width * height * channels
        var status = Int32(CPNG_OK.rawValue)
        let decoded = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = cpng_decoder_decode(handle, Int32(channels), buffer.baseAddress!, count)
            initialized = status == Int32(CPNG_OK.rawValue) ? count : 0
        }
        guard status == Int32(CPNG_OK.rawValue) else { throw error(for: status, handle: handle) }
        return decoded
    }

    /// Walks the chunk headers before libpng sees the data and returns the
    /// IHDR size. libpng 1.6 only *warns* when an ancillary chunk exceeds
    /// png_set_chunk_malloc_max and then allocates and zeroes the declared
    /// length anyway, so a 44-byte file declaring a 2 GB tEXt chunk costs
    /// 2 GB of memory. Checking every declared length against the bytes that
    /// are actually present, and ancillary ones against the limit, closes that.
    static func preflight(_ data: UnsafeRawBufferPointer, maxChunkBytes: Int) throws(ImagingError) -> (Int, Int) {
        guard ImageFormat.sniff(data) == .png else {
            if data.count < 8 { throw .truncated(format: .png, detail: "only \(data.count) bytes") }
            throw .corrupt(format: .png, detail: "missing PNG signature")
        }
        func u32(_ at: Int) -> Int {
            Int(data[at]) << 24 | Int(data[at + 1]) << 16 | Int(data[at + 2]) << 8 | Int(data[at + 3])
        }
        func name(_ at: Int) -> String {
            String(decoding: (at..<at + 4).map { data[$0] }, as: UTF8.self)
        }
        var size: (Int, Int)? = nil
        var at = 8
        while at < data.count {
            guard data.count - at >= 8 else {
                throw .truncated(format: .png, detail: "the data ends inside a chunk header at byte \(at)")
            }
            let length = u32(at), kind = name(at + 4)
            guard length <= 0x7FFF_FFFF else {
                throw .corrupt(format: .png, detail: "chunk \(kind) declares a length of \(length) bytes, over 2^31 − 1")
            }
            if size == nil {
                guard kind == "IHDR" else {
                    throw .corrupt(format: .png, detail: "the first chunk is \(kind), not IHDR")
                }
                guard length == 13 else {
                    throw .corrupt(format: .png, detail: "IHDR declares \(length) bytes, not 13")
                }
            }
            let end = at + 8 + length + 4
            guard end <= data.count else {
                throw .truncated(format: .png,
                                 detail: "chunk \(kind) declares \(length) bytes but only \(max(data.count - at - 12, 0)) remain")
            }
            if size == nil { size = (u32(at + 8), u32(at + 12)) }
            // Ancillary chunks (lower-case first letter) are held whole in
            // memory by libpng; IDAT is streamed and PLTE is at most 768 bytes.
            let ancillary = data[at + 4] & 0x20 != 0
            if ancillary && length > maxChunkBytes {
                throw .chunkTooLarge(chunk: kind, length: length, limit: maxChunkBytes)
            }
            if kind == "IEND" { break }
            at = end
        }
        guard let size else { throw .truncated(format: .png, detail: "the data ends before the IHDR chunk") }
        return size
    }

    private static func error(for status: Int32, handle: OpaquePointer) -> ImagingError {
        let message = String(cString: cpng_decoder_message(handle))
        switch UInt32(bitPattern: status) {
        case CPNG_ERR_TRUNCATED.rawValue: return .truncated(format: .png, detail: message)
        case CPNG_ERR_NO_MEMORY.rawValue: return .outOfMemory
        default: return .corrupt(format: .png, detail: message)
        }
    }
}
