import Locks

/// Context workspaces kept between calls, so each inference worker reuses its scratch (im2col
/// columns, Winograd buffers, GRU gates: ~10 MB at the service's working size) instead of faulting
/// in fresh pages on every photo. A workspace is lent to one call at a time and comes back after it;
/// the pool grows to the number of calls that ever ran at once (the service's workers).
public final class ContextWorkspacePool: Sendable {
    /// Workspaces are not Sendable (their buffers are shared by copies); the pool only ever hands
    /// one to a single caller and takes it back, which is what makes moving them across threads safe.
    private struct Idle: @unchecked Sendable {
        var workspaces: [ContextWorkspace] = []
    }
    private let idle = LockedValue(Idle())

    public init() {}

    /// `body` with a workspace of `threads` workers, lent for the call.
    public func withWorkspace<R, E: Error>(threads: Int,
                                           _ body: (inout ContextWorkspace) throws(E) -> R) throws(E) -> R {
        let lent = idle.withLock { pool -> Idle in
            guard let i = pool.workspaces.firstIndex(where: { $0.threads == threads }) else { return Idle() }
            return Idle(workspaces: [pool.workspaces.remove(at: i)])
        }
        var workspace = lent.workspaces.first ?? ContextWorkspace(threads: threads)
        defer {
            let returned = Idle(workspaces: [workspace])
            idle.withLock { $0.workspaces.append(contentsOf: returned.workspaces) }
        }
        return try body(&workspace)
    }

    /// Workspaces waiting to be lent.
    public var idleCount: Int { idle.withLock { $0.workspaces.count } }
}
