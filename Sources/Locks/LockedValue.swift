#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex: the same shape as `Synchronization.Mutex`
/// (`withLock { value in ... }`, `sending` in and out), but built on `pthread_mutex_t`.
///
/// Why not `Mutex`: on Linux it locks with raw futex calls that ThreadSanitizer does not model,
/// so every state it guards shows up as a data race under `make test-tsan` (9 false reports).
/// TSan intercepts `pthread_mutex_lock`, so with this type the sanitizer sees the happens-before
/// edges and a report means a real race. Uncontended, both cost one atomic exchange.
///
/// The project's one lock policy: every lock is a `LockedValue`, in every module, so that
/// `make test-tsan` checks all of them; `Synchronization.Atomic` only for a lone counter or flag
/// (TSan models atomics); no `Mutex`, no `NSLock`, no `DispatchQueue` used as a lock.
///
/// A class, so the mutex never moves (a pthread mutex must keep its address); the mutex itself is
/// allocated apart from the object because Swift gives no stable address to a stored property.
public final class LockedValue<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline var value: Value

    public init(_ initialValue: consuming sending Value) {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
        value = initialValue
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value. Do not call `withLock` on the same
    /// instance from inside `body`: the mutex is not recursive.
    @inlinable
    public func withLock<Result, Failure: Error>(
        _ body: (inout sending Value) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result {
        lock()
        defer { unlock() }
        return try body(&value)
    }

    @usableFromInline
    func lock() {
        let rc = pthread_mutex_lock(mutex)
        precondition(rc == 0, "pthread_mutex_lock failed: \(rc)")
    }

    @usableFromInline
    func unlock() {
        let rc = pthread_mutex_unlock(mutex)
        precondition(rc == 0, "pthread_mutex_unlock failed: \(rc)")
    }
}
