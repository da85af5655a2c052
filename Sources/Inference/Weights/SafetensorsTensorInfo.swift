/// One header entry, validated: shape, dtype and the byte range relative to the data section.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    public let dataRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}
