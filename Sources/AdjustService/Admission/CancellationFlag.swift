import Synchronization

/// Set when the caller of a running job has gone away. Long jobs poll it between stages, since
/// a BLAS call cannot be interrupted.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }

    func cancel() { flag.store(true, ordering: .relaxed) }
}
