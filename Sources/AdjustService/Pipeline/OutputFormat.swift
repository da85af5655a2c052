/// The formats an adjusted photo can be answered in (ResultEncoder picks the Imaging encoder).
public enum OutputFormat: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case jpeg
    case png
    /// Lossy WebP (VP8, 4:2:0).
    case webp
    /// Lossless WebP (VP8L): every pixel as rendered, typically 40-60 % of the PNG.
    case webpLossless = "webp-lossless"
    case avif

    /// The media type an answer in this format carries.
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp, .webpLossless: "image/webp"
        case .avif: "image/avif"
        }
    }

    /// Whether `quality` changes the pixels (for the lossless formats it is ignored).
    public var isLossy: Bool { self == .jpeg || self == .webp || self == .avif }

    /// The longest side the format can hold (WebP's 14-bit sizes, libjpeg's 65 500).
    public var maxSide: Int {
        switch self {
        case .webp, .webpLossless: 16_383
        case .jpeg: 65_500
        case .png, .avif: 65_536
        }
    }

    /// The file name extension of the format.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp, .webpLossless: "webp"
        case .avif: "avif"
        }
    }

    /// The format a file name's extension names (for the CLI), nil for an unknown one.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        case "webp": self = .webp
        case "avif": self = .avif
        default: return nil
        }
    }

    public var description: String { rawValue }
}
