import Foundation

/// One element of an `Accept` field: a media range and its weight (RFC 9110 §12.5.1).
struct MediaRange: Equatable {
    /// Lower-cased `type/subtype`, either part possibly `*`.
    let type: String
    let subtype: String
    let q: Double

    /// The ranges of an Accept value; malformed elements are skipped, as RFC 9110 lets a server do.
    static func parse(_ accept: String) -> [MediaRange] {
        accept.split(separator: ",").compactMap { element in
            let parts = element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let range = parts.first else { return nil }
            let halves = range.split(separator: "/", omittingEmptySubsequences: false)
            guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty else { return nil }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            guard q.isFinite else { return nil }
            return MediaRange(type: String(halves[0]), subtype: String(halves[1]), q: min(max(q, 0), 1))
        }
    }

    /// The weight `ranges` give `mediaType` (from its most specific match: exact 2, `type/*` 1,
    /// `*/*` 0) and that specificity; nil when no range matches.
    static func quality(of mediaType: String, in ranges: [MediaRange]) -> (q: Double, specificity: Int)? {
        let halves = mediaType.split(separator: "/")
        guard halves.count == 2 else { return nil }
        let (type, subtype) = (String(halves[0]), String(halves[1]))
        var best: (q: Double, specificity: Int)?
        for range in ranges {
            let specificity: Int
            if range.type == type && range.subtype == subtype {
                specificity = 2
            } else if range.type == type && range.subtype == "*" {
                specificity = 1
            } else if range.type == "*" && range.subtype == "*" {
                specificity = 0
            } else {
                continue
            }
            if let b = best, specificity <= b.specificity { continue }
            best = (range.q, specificity)
        }
        return best
    }
}
