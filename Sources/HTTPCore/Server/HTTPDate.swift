import Locks
#if canImport(Glibc)
import Glibc
#endif

/// The IMF-fixdate for the `Date` header (RFC 9110 §5.6.7), formatted at most once per second
/// for the whole process.
enum HTTPDate {
    private static let cache = LockedValue<(second: Int, text: String)>((-1, ""))

    static func now() -> String {
        var seconds = time(nil)
        let current = Int(seconds)
        if let cached = cache.withLock({ $0.second == current ? $0.text : nil }) { return cached }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let text = format(parts)
        cache.withLock { $0 = (current, text) }
        return text
    }

    static func format(_ t: tm) -> String {
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) \(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }
}
