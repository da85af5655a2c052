/// Why a model could not be loaded or run.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    case trunk(SafetensorsError)
    case head(SafetensorsError)
    case unsupportedFormat(String)
    case missingMetadata(key: String)
    case invalidMetadata(key: String, value: String)
    /// Trunk and head disagree (e.g. the head expects another conv1 or layer3 width).
    case incompatible(String)
    /// The head was trained on other trunk weights than the trunk file holds (both sha256s).
    case trunkMismatch(headExpects: String, trunkHolds: String)
    /// Neither a trunk inside the head nor a trunk file to pair it with.
    case noTrunk
    /// A caller-supplied input has the wrong shape (wrong plane count, map of the wrong size or K).
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .trunk(e): "trunk weights: \(e)"
        case let .head(e): "head weights: \(e)"
        case let .unsupportedFormat(f): "unsupported model format \"\(f)\" (expected \(ModelDescription.format))"
        case let .missingMetadata(key): "model metadata lacks \"\(key)\""
        case let .invalidMetadata(key, value): "model metadata \"\(key)\" has an invalid value \"\(value)\""
        case let .incompatible(why): "trunk and head do not fit together: \(why)"
        case let .trunkMismatch(expected, held):
            "the head was trained on trunk weights with sha256 \(expected), the trunk file holds \(held)"
        case .noTrunk: "the head neither embeds a trunk nor names a trunk file (pass one with --trunk)"
        case let .invalidInput(why): "invalid input: \(why)"
        }
    }
}
