/// One key's rate limit as a token bucket: `burst` requests at once, refilled at `perMinute`.
/// A value type with the time passed in, so the arithmetic is tested without waiting.
struct TokenBucket: Sendable {
    let limit: RateLimit
    private(set) var tokens: Double
    private var updated: ContinuousClock.Instant

    init(limit: RateLimit, now: ContinuousClock.Instant) {
        self.limit = limit
        tokens = Double(limit.burst)
        updated = now
    }

    /// Takes a token for one request: nil when it may go ahead, else how long until one is there.
    mutating func take(at now: ContinuousClock.Instant) -> Duration? {
        let perSecond = Double(limit.perMinute) / 60
        if now > updated {
            tokens = min(Double(limit.burst), tokens + (now - updated) / .seconds(1) * perSecond)
            updated = now
        }
        guard tokens < 1 else {
            tokens -= 1
            return nil
        }
        return .seconds((1 - tokens) / perSecond)
    }
}
