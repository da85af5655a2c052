/// A request body's arrival against the body timeouts: no byte for `bodyIdle`, or fewer than
/// `minimumBodyBytesPerSecond` on average over each `minimumRateWindow` (a slowloris upload), ends the
/// request with 408. While the handler is not reading (backpressure: the socket is not read either)
/// nothing is held against the client. Times are DispatchTime nanoseconds; a value type, so the
/// rules are tested without sockets or clocks.
struct BodyProgress {
    /// When the last body byte arrived (or the window restarted).
    private(set) var lastProgress: UInt64 = 0
    private var windowStart: UInt64 = 0
    private var windowBytes = 0
    /// The handler has stopped reading; the client is not the one to wait for.
    private(set) var isPaused = false

    /// A new body, or the handler reading again: both timeouts count from `now`.
    mutating func restart(at now: UInt64) {
        isPaused = false
        startWindow(at: now)
    }

    /// Both timeouts count from `now`.
    private mutating func startWindow(at now: UInt64) {
        lastProgress = now
        windowStart = now
        windowBytes = 0
    }

    /// The handler's buffer is full: the socket is not read until it asks for more.
    mutating func pause() { isPaused = true }

    mutating func received(_ bytes: Int, at now: UInt64) {
        lastProgress = now
        windowBytes += bytes
    }

    /// Whether nothing arrived for longer than `limit` (a body being discarded is held to the
    /// idle timeout only).
    func isIdle(at now: UInt64, longerThan limit: Duration) -> Bool {
        now - lastProgress > limit.nanoseconds
    }

    /// The timeout the client has run into at `now`, if any; each full window starts the next.
    mutating func check(at now: UInt64, timeouts: HTTPServerConfiguration.Timeouts) -> HTTPError? {
        if isPaused {
            startWindow(at: now)  // waiting on the handler, not on the client
            return nil
        }
        if isIdle(at: now, longerThan: timeouts.bodyIdle) {
            return HTTPError(.requestTimeout, detail: "no request body bytes arrived for \(timeouts.bodyIdle)")
        }
        guard now - windowStart >= timeouts.minimumRateWindow.nanoseconds else { return nil }
        let rate = Double(windowBytes) / (Double(now - windowStart) / 1e9)
        windowStart = now
        windowBytes = 0
        guard rate < Double(timeouts.minimumBodyBytesPerSecond) else { return nil }
        return HTTPError(.requestTimeout, detail: "the request body arrived slower than \(timeouts.minimumBodyBytesPerSecond) bytes/s")
    }
}
