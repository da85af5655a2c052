import Prometheus
import Locks

/// A counter whose total is kept elsewhere (the worker pool counts finished jobs) and read at
/// scrape time: each scrape adds what the total grew by since the last one, so the series is a
/// true Prometheus counter (`_total`, monotonic) rather than a gauge that happens to only grow.
final class ScrapedCounter: Sendable {
    private let counter: Counter
    private let read: @Sendable () -> Int
    private let seen = LockedValue(0)

    init(_ counter: Counter, read: @escaping @Sendable () -> Int) {
        self.counter = counter
        self.read = read
    }

    func update() {
        let total = read()
        let growth = seen.withLock { last -> Int in
            defer { last = max(last, total) }
            return max(0, total - last)
        }
        if growth > 0 { counter.increment(by: Int64(growth)) }
    }
}
