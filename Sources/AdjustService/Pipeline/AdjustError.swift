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

    /// Whose fault it is and what would fix it: what a front-end maps to a status, without knowing the
    /// codecs' or the engine's errors.
    public enum Kind: Sendable, Equatable {
        /// The photo is over a decode limit (pixels, side, memory): send a smaller one.
        case tooLarge
        /// The bytes are no format this service reads.
        case unsupportedFormat
        /// The photo is damaged, or the map or an option is invalid: the request must change.
        case invalidInput
        /// The engine or an encoder failed on valid input: the service's fault.
        case internalFailure
    }

    public var kind: Kind {
        switch self {
        case .undecodableImage(let cause):
            switch cause {
            case _ where cause.isSizeLimit: .tooLarge
            case .unrecognizedFormat, .unsupportedFeature: .unsupportedFormat
            default: .invalidInput
            }
        case .invalidMap, .invalidOption: .invalidInput
        case .inference, .encoding: .internalFailure
        }
    }
}
