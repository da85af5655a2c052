import Locks

/// Analysed photos kept for re-rendering under an `ImageID`: a least-recently-used cache bounded
/// by bytes (an analysed 512-px photo holds about 20 MB of context) and by age (a photo is a
/// user's data; it is not kept longer than a personalisation session needs).
///
/// A photo may have an owner (with access control on, the name of the key that sent it): only the
/// same owner finds it again, and to anyone else it is as unknown as an id never given out.
///
/// Eviction scans for the oldest entry. With entries of megabytes a realistic budget holds at
/// most a few hundred, so the scan costs microseconds beside the seconds an analysis takes, and
/// it keeps the structure one dictionary.
public final class PhotoCache: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var entries = 0
        public var bytes = 0
        public var hits = 0
        public var misses = 0
        public var evictions = 0
        /// Photos not cached because they alone exceed the budget.
        public var refused = 0
    }

    private struct Entry {
        let photo: AnalysedPhoto
        let owner: String?
        let bytes: Int
        let stored: ContinuousClock.Instant
        var lastUse: UInt64
    }

    private struct State {
        var entries: [ImageID: Entry] = [:]
        var tick: UInt64 = 0
        var statistics = Statistics()
    }

    public let byteBudget: Int
    public let maxAge: Duration
    private let state = LockedValue(State())

    public init(byteBudget: Int, maxAge: Duration = .seconds(3600)) {
        precondition(byteBudget >= 0)
        self.byteBudget = byteBudget
        self.maxAge = maxAge
    }

    /// Stores `photo` for `owner` and returns its id, evicting the least recently used photos to make
    /// room; nil when the photo alone is larger than the whole budget.
    public func insert(_ photo: AnalysedPhoto, owner: String? = nil) -> ImageID? {
        let bytes = photo.byteCount
        let id = ImageID.random()
        let now = ContinuousClock.now
        return state.withLock { s -> ImageID? in
            guard bytes <= byteBudget else {
                s.statistics.refused += 1
                return nil
            }
            dropExpired(&s, now: now)
            while s.statistics.bytes + bytes > byteBudget,
                  let oldest = s.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                remove(oldest.key, from: &s)
                s.statistics.evictions += 1
            }
            s.tick += 1
            s.entries[id] = Entry(photo: photo, owner: owner, bytes: bytes, stored: now, lastUse: s.tick)
            s.statistics.bytes += bytes
            s.statistics.entries = s.entries.count
            return id
        }
    }

    /// The photo stored under `id` for `owner`, marked as recently used; nil when unknown, evicted,
    /// expired or another owner's.
    public func lookup(_ id: ImageID, owner: String? = nil) -> AnalysedPhoto? {
        let now = ContinuousClock.now
        return state.withLock { s -> AnalysedPhoto? in
            guard var entry = s.entries[id], entry.owner == owner else {
                s.statistics.misses += 1
                return nil
            }
            guard now - entry.stored <= maxAge else {
                remove(id, from: &s)
                s.statistics.misses += 1
                return nil
            }
            s.tick += 1
            entry.lastUse = s.tick
            s.entries[id] = entry
            s.statistics.hits += 1
            return entry.photo
        }
    }

    /// The photo stored under `id` without marking it used or counting a hit: for idle-time work
    /// on cached photos, which must not keep a photo alive that users have stopped asking for.
    public func peek(_ id: ImageID) -> AnalysedPhoto? {
        let now = ContinuousClock.now
        return state.withLock { s in
            guard let entry = s.entries[id], now - entry.stored <= maxAge else { return nil }
            return entry.photo
        }
    }

    /// Replaces the photo under `id` by `photo` (the same photo with more kept, e.g. its preset
    /// alternatives), keeping its age and recency and evicting least recently used others if the
    /// budget needs it. False, and nothing changed, when `id` is gone or `photo` alone exceeds the
    /// budget.
    @discardableResult
    public func replace(_ id: ImageID, with photo: AnalysedPhoto) -> Bool {
        let bytes = photo.byteCount
        return state.withLock { s -> Bool in
            guard bytes <= byteBudget, let old = s.entries[id] else { return false }
            while s.statistics.bytes - old.bytes + bytes > byteBudget,
                  let oldest = s.entries.filter({ $0.key != id }).min(by: { $0.value.lastUse < $1.value.lastUse }) {
                remove(oldest.key, from: &s)
                s.statistics.evictions += 1
            }
            s.entries[id] = Entry(photo: photo, owner: old.owner, bytes: bytes, stored: old.stored, lastUse: old.lastUse)
            s.statistics.bytes += bytes - old.bytes
            return true
        }
    }

    /// Forgets the photo stored under `id` for `owner` (a user's "delete my photo"). False when there
    /// is none: unknown, evicted, expired or another owner's.
    @discardableResult
    public func remove(_ id: ImageID, owner: String? = nil) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { s -> Bool in
            guard let entry = s.entries[id], entry.owner == owner else { return false }
            remove(id, from: &s)
            return now - entry.stored <= maxAge
        }
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    private func dropExpired(_ s: inout State, now: ContinuousClock.Instant) {
        for (id, entry) in s.entries where now - entry.stored > maxAge { remove(id, from: &s) }
    }

    private func remove(_ id: ImageID, from s: inout State) {
        guard let entry = s.entries.removeValue(forKey: id) else { return }
        s.statistics.bytes -= entry.bytes
        s.statistics.entries = s.entries.count
    }
}
