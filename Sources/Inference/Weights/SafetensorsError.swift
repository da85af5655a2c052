/// Everything that can be wrong with a safetensors file, precise enough to tell a truncated download
/// from a wrong file from a model of another shape.
public enum SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, errno: Int32)
    case cannotMap(path: String, errno: Int32)
    /// Fewer than the 8 bytes of the header length.
    case fileTooSmall(size: Int)
    /// The declared header length runs past the end of the file or over the cap.
    case headerLengthOutOfRange(declared: UInt64, fileSize: Int)
    case headerNotUTF8JSON(offset: Int, reason: String)
    case headerNotObject
    case invalidMetadata(reason: String)
    case invalidEntry(name: String, reason: String)
    case unknownDType(name: String, dtype: String)
    /// (end - begin) disagrees with shape × element size.
    case byteCountMismatch(name: String, expected: Int, actual: Int)
    /// The data offsets run past the end of the file (typically a truncated file).
    case dataOutOfBounds(name: String, end: Int, dataSize: Int)
    case overlappingData(name: String, other: String)
    case missingTensor(name: String)
    case shapeMismatch(name: String, expected: [Int], actual: [Int])
    case unsupportedDType(name: String, dtype: SafetensorsDType)

    public var description: String {
        switch self {
        case let .cannotOpen(path, e): "cannot open \(path) (errno \(e))"
        case let .cannotMap(path, e): "cannot memory-map \(path) (errno \(e))"
        case let .fileTooSmall(size): "not a safetensors file: \(size) bytes, fewer than the 8-byte header length"
        case let .headerLengthOutOfRange(n, size): "header length \(n) does not fit a \(size)-byte file (truncated or not safetensors)"
        case let .headerNotUTF8JSON(offset, reason): "header is not valid JSON at byte \(offset): \(reason)"
        case .headerNotObject: "header is not a JSON object"
        case let .invalidMetadata(reason): "__metadata__: \(reason)"
        case let .invalidEntry(name, reason): "tensor \(name): \(reason)"
        case let .unknownDType(name, dtype): "tensor \(name): unknown dtype \(dtype)"
        case let .byteCountMismatch(name, e, a): "tensor \(name): shape needs \(e) bytes, offsets span \(a)"
        case let .dataOutOfBounds(name, end, size): "tensor \(name): data ends at \(end), past the \(size) data bytes (truncated file?)"
        case let .overlappingData(name, other): "tensors \(name) and \(other) overlap"
        case let .missingTensor(name): "missing tensor \(name)"
        case let .shapeMismatch(name, e, a): "tensor \(name): shape \(a), expected \(e)"
        case let .unsupportedDType(name, dtype): "tensor \(name): dtype \(dtype.rawValue) cannot be read as Float"
        }
    }
}
