import Locks

/// The request-body bytes the service holds at once — uploads being read and forms waiting for a
/// worker — so that a burst of large uploads cannot grow its memory without bound: an upload that
/// would pass the budget is refused (503 + Retry-After) before its body is read, and its client can
/// try again when others have finished. One upload up to the capacity always fits an empty budget.
public final class UploadBudget: Sendable {
    public let capacity: Int
    private let used = LockedValue(0)

    public init(bytes: Int) {
        precondition(bytes > 0, "an upload budget needs room for at least one byte")
        capacity = bytes
    }

    /// Bytes reserved now.
    public var inUse: Int { used.withLock { $0 } }

    /// Reserves `bytes` (clamped to the capacity) until `release()`; nil when they do not fit now.
    public func reserve(_ bytes: Int) -> Reservation? {
        let n = min(max(0, bytes), capacity)
        let granted = used.withLock { used -> Bool in
            guard used + n <= capacity else { return false }
            used += n
            return true
        }
        return granted ? Reservation(budget: self, bytes: n) : nil
    }

    fileprivate func give(back bytes: Int) {
        used.withLock { $0 -= bytes }
    }

    /// Bytes held against the budget; `release()` once, when the body's bytes are no longer held.
    public struct Reservation: Sendable {
        let budget: UploadBudget
        public let bytes: Int

        public func release() { budget.give(back: bytes) }
    }
}
