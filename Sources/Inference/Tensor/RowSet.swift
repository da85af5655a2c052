/// The rows of a photo a render covers: sorted, disjoint, non-empty ranges; iterating yields each
/// row once, top to bottom. A re-render that only repainted part of the map covers just those rows,
/// and may narrow each to the columns that changed (`columns`, one range per photo row).
struct RowSet: Sequence, Sendable {
    let ranges: [Range<Int>]
    /// nil: whole rows.
    let columns: [Range<Int>]?

    init(_ range: Range<Int>) {
        ranges = range.isEmpty ? [] : [range]
        columns = nil
    }

    /// nil unless `ranges` are sorted, disjoint and inside 0..<height (empty ones are dropped) and
    /// `columns`, when given, holds `height` ranges inside 0..<width.
    init?(_ ranges: [Range<Int>], columns: [Range<Int>]? = nil, height: Int, width: Int) {
        let kept = ranges.filter { !$0.isEmpty }
        for (i, r) in kept.enumerated() {
            guard r.lowerBound >= 0, r.upperBound <= height else { return nil }
            if i > 0, kept[i - 1].upperBound > r.lowerBound { return nil }
        }
        if let columns {
            guard columns.count == height, columns.allSatisfy({ $0.lowerBound >= 0 && $0.upperBound <= width }) else { return nil }
        }
        self.ranges = kept
        self.columns = columns
    }

    private init(unchecked ranges: [Range<Int>], columns: [Range<Int>]?) {
        self.ranges = ranges
        self.columns = columns
    }

    /// The columns of covered row `y` to render: its range in `columns`, else the whole row.
    func columns(of y: Int, width: Int) -> Range<Int> { columns?[y] ?? 0..<width }

    var count: Int { ranges.reduce(0) { $0 + $1.count } }

    func makeIterator() -> FlattenSequence<[Range<Int>]>.Iterator { ranges.joined().makeIterator() }

    /// `parts` consecutive pieces whose row counts differ by at most one (some may be empty).
    func split(into parts: Int) -> [RowSet] {
        let total = count
        var pieces: [RowSet] = []
        var remaining = ranges[...]
        var current = remaining.popFirst()
        for part in 0..<parts {
            var want = (part + 1) * total / parts - part * total / parts
            var piece: [Range<Int>] = []
            while want > 0, let r = current {
                let take = Swift.min(want, r.count)
                piece.append(r.lowerBound..<(r.lowerBound + take))
                want -= take
                current = take == r.count ? remaining.popFirst() : (r.lowerBound + take)..<r.upperBound
            }
            pieces.append(RowSet(unchecked: piece, columns: columns))
        }
        return pieces
    }
}
