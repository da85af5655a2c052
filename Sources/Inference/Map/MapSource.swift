/// A MapChoice with its storage pinned for the duration of one render: what the row loops read.
/// Unchecked Sendable: the pointers are only read, by the bands of a render that waits for them all
/// inside the closure that pins the storage.
enum MapSource: @unchecked Sendable {
    case argmax
    case soft
    /// K planes of height × width floats.
    case planes(UnsafePointer<Float>)
    /// height × width preset indices.
    case labels(UnsafePointer<UInt8>)

    var isArgmax: Bool { if case .argmax = self { true } else { false } }
    var isSoft: Bool { if case .soft = self { true } else { false } }
}
