/// Decodes an upload of any format the service reads, chosen by its leading bytes, and brings its
/// pixels to sRGB (`ColourManagement`) unless told not to.
public struct ImageDecoder: Sendable {
    public var limits: DecodeLimits
    public var alphaPolicy: AlphaPolicy
    /// Nil leaves the pixels in the file's colour space (with its profile), as the format decoders do.
    public var colourManagement: ColourManagement?

    public init(limits: DecodeLimits = .standard, alphaPolicy: AlphaPolicy = .compositeOverWhite,
                colourManagement: ColourManagement? = ColourManagement()) {
        self.limits = limits
        self.alphaPolicy = alphaPolicy
        self.colourManagement = colourManagement
    }

    public func decode(_ bytes: [UInt8]) throws(ImagingError) -> DecodedImage {
        try CBuffers.withBytes(bytes) { raw throws(ImagingError) in try decode(raw) }
    }

    public func decode(_ data: UnsafeRawBufferPointer) throws(ImagingError) -> DecodedImage {
        guard data.count > 0 else { throw .emptyInput }
        guard let format = ImageFormat.sniff(data) else { throw .unrecognizedFormat }
        let decoded = try decoder(for: format)(data)
        return colourManagement?.toSRGB(decoded) ?? decoded
    }

    private func decoder(for format: ImageFormat) -> (UnsafeRawBufferPointer) throws(ImagingError) -> DecodedImage {
        switch format {
        case .jpeg: JPEGDecoder(limits: limits).decode
        case .png: PNGDecoder(limits: limits, alphaPolicy: alphaPolicy).decode
        case .webp: WebPDecoder(limits: limits, alphaPolicy: alphaPolicy).decode
        case .heic, .avif: HEIFDecoder(limits: limits, alphaPolicy: alphaPolicy).decode
        case .tiff: TIFFDecoder(limits: limits, alphaPolicy: alphaPolicy).decode
        }
    }
}
