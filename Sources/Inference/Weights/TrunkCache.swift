import Locks

/// The shared trunk file loaded once per (path, batch-norm epsilon) for every model built with the
/// cache: the service's styles all pair with the same ImageNet trunk, ~60 MB of folded and Winograd
/// weights that each style used to load again. The trunk is immutable, so sharing it is free.
public final class TrunkCache: Sendable {
    private struct Key: Hashable {
        let path: String
        let eps: Float
    }
    private let loaded = LockedValue<[Key: ResNetTrunk]>([:])

    public init() {}

    func trunk(path: String, eps: Float) throws(ModelError) -> ResNetTrunk {
        let key = Key(path: path, eps: eps)
        if let trunk = loaded.withLock({ $0[key] }) { return trunk }
        let trunk: ResNetTrunk
        do { trunk = try ResNetTrunk(file: SafetensorsFile(path: path), eps: eps) } catch { throw .trunk(error) }
        loaded.withLock { $0[key] = trunk }
        return trunk
    }

    /// Trunks loaded so far.
    public var count: Int { loaded.withLock { $0.count } }
}
