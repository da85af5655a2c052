/// Decodes an upload of either format, chosen by its magic bytes.
public struct ImageDecoder: Sendable {
    public var limits: DecodeLimits
    public var alphaPolicy: AlphaPolicy

    public init(limits: DecodeLimits = .standard, alphaPolicy: AlphaPolicy = .compositeOverWhite) {
        self.limits = limits
        self.alphaPolicy = alphaPolicy
    }

    public func decode(_ bytes: [UInt8]) throws(ImagingError) -> DecodedImage {
        try CBuffers.withBytes(bytes) { raw throws(ImagingError) in try decode(raw) }
    }

    public func decode(_ data: UnsafeRawBufferPointer) throws(ImagingError) -> DecodedImage {
        guard data.count > 0 else { throw .emptyInput }
        switch ImageFormat.sniff(data) {
        case .jpeg: return try JPEGDecoder(limits: limits).decode(data)
        case .png: return try PNGDecoder(limits: limits, alphaPolicy: alphaPolicy).decode(data)
        case nil: throw .unrecognizedFormat
        }
    }
}
