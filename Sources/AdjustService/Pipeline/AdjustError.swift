public import Imaging
public import Inference

/// Why an adjustment could not be made, in words a client can act on.
public enum AdjustError: Error, Sendable, CustomStringConvertible {
    /// The photo could not be decoded (corrupt, truncated, unsupported, over a size limit).
    case undecodableImage(ImagingError)
    /// The user's map does not fit the style (wrong K, values out of range, unreadable).
    case invalidMap(String)
    /// An option is out of range.
    case invalidOption(String)
    /// The engine refused the input or failed.
    case inference(ModelError)
    /// Encoding the result failed.
    case encoding(ImagingError)

    public var description: String {
        switch self {
        case .undecodableImage(let error): "the image could not be decoded: \(error)"
        case .invalidMap(let reason): "the adjustment map is invalid: \(reason)"
        case .invalidOption(let reason): reason
        case .inference(let error): "inference failed: \(error)"
        case .encoding(let error): "encoding the result failed: \(error)"
        }
    }
}
