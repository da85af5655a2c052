/// Everything that can go wrong in the image layer, precise enough to be shown
/// to the client: which limit, what the file declared, what the codec said.
public enum ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Zero bytes were supplied.
    case emptyInput
    /// The bytes are none of the formats the decoder reads.
    case unrecognizedFormat
    /// The file uses a part of its format this service does not read (an animation, floating-point
    /// samples, a codec the library lacks).
    case unsupportedFeature(format: ImageFormat, detail: String)
    /// The file declares a width or height of zero.
    case zeroDimensions(format: ImageFormat, width: Int, height: Int)
    /// A declared side exceeds `DecodeLimits.maxSide` (or the codec's own maximum).
    case sideTooLarge(format: ImageFormat, width: Int, height: Int, maxSide: Int)
    /// The declared pixel count exceeds `DecodeLimits.maxPixels`.
    case tooManyPixels(format: ImageFormat, width: Int, height: Int, maxPixels: Int)
    /// A codec library's own limit refused the declared size before it could be read (libheif's
    /// security limits: sides over 32768, too many tiles).
    case sizeLimit(format: ImageFormat, detail: String)
    /// A progressive JPEG has more scans than `DecodeLimits.maxProgressiveScans`.
    case tooManyProgressiveScans(limit: Int)
    /// libjpeg needed more working memory than `DecodeLimits.maxDecoderMemory`.
    case decoderMemoryLimit(limit: Int)
    /// An ancillary PNG chunk declares more than `DecodeLimits.maxChunkBytes`.
    case chunkTooLarge(chunk: String, length: Int, limit: Int)
    /// The data ends before the image does.
    case truncated(format: ImageFormat, detail: String)
    /// The data is damaged or violates the format.
    case corrupt(format: ImageFormat, detail: String)
    /// A JPEG colour space this layer cannot turn into RGB.
    case unsupportedColorSpace(components: Int, detail: String)
    /// A caller passed inconsistent sizes or out-of-range options.
    case invalidArgument(String)
    /// The encoder library failed.
    case encodingFailed(format: ImageFormat, detail: String)
    /// A C allocation failed.
    case outOfMemory

    public var description: String {
        switch self {
        case .emptyInput:
            return "the image is empty (0 bytes)"
        case .unrecognizedFormat:
            return "the image is none of JPEG, PNG, WebP, HEIC, AVIF or TIFF (judged by its first bytes)"
        case let .unsupportedFeature(format, detail):
            return "the \(format) uses something this service does not read: \(detail)"
        case let .zeroDimensions(format, width, height):
            return "the \(format) declares a size of \(width)×\(height); both sides must be at least 1"
        case let .sideTooLarge(format, width, height, maxSide):
            return "the \(format) declares \(width)×\(height) pixels; no side may exceed \(maxSide)"
        case let .tooManyPixels(format, width, height, maxPixels):
            return "the \(format) declares \(width)×\(height) = \(width * height) pixels; the limit is \(maxPixels)"
        case let .sizeLimit(format, detail):
            return "the \(format) declares a size over its decoder's limit: \(detail)"
        case let .tooManyProgressiveScans(limit):
            return "the progressive JPEG has more than \(limit) scans"
        case let .decoderMemoryLimit(limit):
            return "decoding the image needs more than \(limit) bytes of working memory"
        case let .chunkTooLarge(chunk, length, limit):
            return "the PNG chunk \(chunk) declares \(length) bytes; ancillary chunks are limited to \(limit)"
        case let .truncated(format, detail):
            return "the \(format) is truncated: \(detail)"
        case let .corrupt(format, detail):
            return "the \(format) is corrupt: \(detail)"
        case let .unsupportedColorSpace(components, detail):
            return "unsupported JPEG colour space (\(components) components): \(detail)"
        case let .invalidArgument(detail):
            return "invalid argument: \(detail)"
        case let .encodingFailed(format, detail):
            return "\(format) encoding failed: \(detail)"
        case .outOfMemory:
            return "out of memory"
        }
    }
}
