import Synchronization

/// A small process-wide stock of freed large buffers, handed back to the next allocation of the same
/// size. The service fixes glibc's mmap threshold at 1 MiB (CMallocShim, for a bounded RSS), so each
/// feature map of a context pass was a fresh mmap whose pages the kernel faulted in and zeroed, and
/// freed with munmap: about 4 % of the 512x512 pass in perf. The pass allocates the same few sizes
/// layer after layer, so reuse by exact size catches almost all of them; the stock is capped so idle
/// memory stays small next to the service's RSS budget.
final class BufferRecycler: Sendable {
    static let shared = BufferRecycler(minimumBytes: 1 << 20, maximumBytes: 32 << 20, capacityBytes: 64 << 20)

    let minimumBytes: Int
    let maximumBytes: Int
    let capacityBytes: Int
    private struct Stock {
        /// Addresses by size (bit patterns: the stock only holds them, it never reads through them).
        var free: [Int: [UInt]] = [:]
        var heldBytes = 0
    }
    private let stock = Mutex(Stock())

    init(minimumBytes: Int, maximumBytes: Int, capacityBytes: Int) {
        self.minimumBytes = minimumBytes
        self.maximumBytes = maximumBytes
        self.capacityBytes = capacityBytes
    }

    private func recycles(_ bytes: Int) -> Bool { bytes >= minimumBytes && bytes <= maximumBytes }

    /// A buffer of exactly `bytes` from the stock, or nil.
    func take(bytes: Int) -> UnsafeMutableRawPointer? {
        guard recycles(bytes) else { return nil }
        let address = stock.withLock { s -> UInt? in
            guard let a = s.free[bytes]?.popLast() else { return nil }
            s.heldBytes -= bytes
            return a
        }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `pointer` (from posix_memalign, `bytes` long) for reuse, or returns false when it is not
    /// worth keeping or the stock is full: the caller frees it then.
    func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        guard recycles(bytes) else { return false }
        let address = UInt(bitPattern: pointer)
        return stock.withLock { s in
            guard s.heldBytes + bytes <= capacityBytes else { return false }
            s.free[bytes, default: []].append(address)
            s.heldBytes += bytes
            return true
        }
    }
}
