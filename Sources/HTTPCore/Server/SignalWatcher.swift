import Dispatch
import Locks
#if canImport(Glibc)
import Glibc
#endif

/// Turns termination signals into an awaitable event. The default disposition is replaced by
/// SIG_IGN first so that the signal reaches the Dispatch source instead of killing the process.
final class SignalWatcher: Sendable {
    private struct State: @unchecked Sendable {
        // Dispatch sources are thread-safe; they are only not declared Sendable.
        var sources: [any DispatchSourceSignal] = []
        var received: Int32?
        var waiter: CheckedContinuation<Int32, Never>?
    }

    private let state = LockedValue(State())

    init(signals: [Int32]) {
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.deliver(number) }
            source.resume()
            sources.append(source)
        }
        state.withLock { $0.sources = sources }
    }

    private func deliver(_ number: Int32) {
        let waiter = state.withLock { s -> CheckedContinuation<Int32, Never>? in
            if s.received == nil { s.received = number }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: number)
    }

    /// Waits for the first of the signals.
    func next() async -> Int32 {
        await withCheckedContinuation { continuation in
            let received = state.withLock { s -> Int32? in
                if s.received == nil { s.waiter = continuation }
                return s.received
            }
            if let received { continuation.resume(returning: received) }
        }
    }
}
