import Locks

/// The token buckets of every key, by key name. Bounded by the key file: a bucket exists only for
/// a key that authenticated, and `retain` drops those of keys no longer listed.
final class RateLimiter: Sendable {
    private let buckets = LockedValue<[String: TokenBucket]>([:])

    /// nil when `key` may make a request now, else how long it must wait.
    func take(_ key: APIKey, at now: ContinuousClock.Instant) -> Duration? {
        buckets.withLock { buckets in
            var bucket = buckets[key.name].flatMap { $0.limit == key.rate ? $0 : nil } ?? TokenBucket(limit: key.rate, now: now)
            defer { buckets[key.name] = bucket }
            return bucket.take(at: now)
        }
    }

    /// Forgets the buckets of keys not in `names` (after a reload removed them).
    func retain(_ names: Set<String>) {
        buckets.withLock { buckets in buckets = buckets.filter { names.contains($0.key) } }
    }
}
