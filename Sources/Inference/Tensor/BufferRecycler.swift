import Dispatch
import Locks
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process-wide stock of freed large buffers, handed back to the next allocation of the same size.
///
/// Why: every feature map of a pass is a large allocation, and a fresh one is pages the kernel must
/// fault in and zero (glibc serves them by mmap: the service fixes its threshold at 1 MiB for a
/// bounded RSS). Passes allocate the same few sizes over and over, so reuse by exact size catches
/// nearly all of them: a 512x512 context pass faulted 58 times with 64 MiB kept and nothing over 32 MiB
/// (its fold's 64 MiB piece a fresh mapping each time), 9 times with 256 MiB kept.
///
/// What keeps the memory honest:
/// - **A capacity** (`capacityBytes`): a freed buffer that would take the stock above it is freed.
/// - **Very large misses make room.** A miss of at least `evictingBytes` (a multi-megapixel photo's
///   planes, never a 512x512 pass's feature maps) first frees the oldest stocked buffers, at least as
///   many bytes as it is about to allocate, so the stock does not add to the peak of a large photo.
///   Smaller misses do not evict: evicting on every miss made the pass's sizes chase each other out
///   (1 350 faults per pass at 256 MiB).
/// - **Decay when idle**, as jemalloc's dirty-page decay does: once nothing has been taken or given for
///   `decay`, the whole stock is freed, so an idle server returns to its idle RSS.
final class BufferRecycler: Sendable {
    static let shared = BufferRecycler(minimumBytes: 1 << 20, evictingBytes: 96 << 20, capacityBytes: 256 << 20,
                                       decay: .seconds(5))

    let minimumBytes: Int
    let evictingBytes: Int
    let capacityBytes: Int
    let decay: Duration

    private struct Entry {
        var bytes: Int
        /// The address as a bit pattern: the stock only holds buffers, it never reads through them.
        var address: UInt
    }
    private struct Stock {
        /// Oldest first: evictions take from the front, takes search from the back (the most recent
        /// buffer of a size is the likeliest still in cache).
        var entries: [Entry] = []
        var heldBytes = 0
        var lastActivity = ContinuousClock.now
        var trimScheduled = false
    }
    private let stock = LockedValue(Stock())

    init(minimumBytes: Int, evictingBytes: Int, capacityBytes: Int, decay: Duration) {
        self.minimumBytes = minimumBytes
        self.evictingBytes = evictingBytes
        self.capacityBytes = capacityBytes
        self.decay = decay
    }

    /// Bytes held in the stock now.
    var heldBytes: Int { stock.withLock { $0.heldBytes } }

    /// A buffer of exactly `bytes` from the stock, or nil; on nil the caller allocates `bytes` anew,
    /// and stocked buffers of at least that many bytes have been freed to make room.
    func take(bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes >= minimumBytes else { return nil }
        var evicted: [UInt] = []
        let address = stock.withLock { s -> UInt? in
            s.lastActivity = .now
            if let i = s.entries.lastIndex(where: { $0.bytes == bytes }) {
                s.heldBytes -= bytes
                return s.entries.remove(at: i).address
            }
            guard bytes >= evictingBytes else { return nil }
            var freed = 0, n = 0
            while n < s.entries.count, freed < bytes {
                freed += s.entries[n].bytes
                n += 1
            }
            evicted = s.entries.prefix(n).map(\.address)
            s.entries.removeFirst(n)
            s.heldBytes -= freed
            return nil
        }
        for a in evicted { free(UnsafeMutableRawPointer(bitPattern: a)) }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `pointer` (from posix_memalign, `bytes` long) for reuse, or returns false when it is too
    /// small to be worth keeping or the stock is full: the caller frees it then.
    func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        guard bytes >= minimumBytes else { return false }
        let (kept, scheduleTrim) = stock.withLock { s -> (Bool, Bool) in
            guard s.heldBytes + bytes <= capacityBytes else { return (false, false) }
            s.entries.append(Entry(bytes: bytes, address: UInt(bitPattern: pointer)))
            s.heldBytes += bytes
            s.lastActivity = .now
            let schedule = !s.trimScheduled
            s.trimScheduled = true
            return (true, schedule)
        }
        if scheduleTrim { scheduleDecayCheck(after: decay) }
        return kept
    }

    /// Frees the whole stock now.
    func trim() {
        let all = stock.withLock { s -> [Entry] in
            defer { s.entries = []; s.heldBytes = 0 }
            return s.entries
        }
        for e in all { free(UnsafeMutableRawPointer(bitPattern: e.address)) }
    }

    private func scheduleDecayCheck(after delay: Duration) {
        let nanoseconds = max(1, Int(delay / .nanoseconds(1)))
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
            decayCheck()
        }
    }

    /// Frees the stock if it has been idle for `decay`, else looks again when it would have been.
    private func decayCheck() {
        enum Next { case trim, wait(Duration), done }
        let next = stock.withLock { s -> Next in
            if s.entries.isEmpty { s.trimScheduled = false; return .done }
            let idle = ContinuousClock.now - s.lastActivity
            if idle >= decay { s.trimScheduled = false; return .trim }
            return .wait(decay - idle)
        }
        switch next {
        case .trim: trim()
        case .wait(let remaining): scheduleDecayCheck(after: remaining)
        case .done: break
        }
    }
}
