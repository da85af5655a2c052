/// Lets a repeating log line through at most once per interval and counts the ones it held back.
///
/// Why: a listener out of file descriptors fails every accept until a descriptor frees; with the
/// 100 ms accept pause that is ten warnings a second per listener for as long as the exhaustion
/// lasts, which floods a container's log and costs I/O exactly when the process is in trouble.
/// One line per interval with "(N more suppressed)" keeps the signal without the flood.
struct LogThrottle: Sendable {
    let interval: Duration
    private var lastEmitted: ContinuousClock.Instant?
    private var suppressed = 0

    init(interval: Duration) {
        self.interval = interval
    }

    /// Whether to log now; when yes, how many occurrences were held back since the last line.
    mutating func admit(at now: ContinuousClock.Instant) -> Int? {
        if let lastEmitted, now - lastEmitted < interval {
            suppressed += 1
            return nil
        }
        lastEmitted = now
        defer { suppressed = 0 }
        return suppressed
    }
}
