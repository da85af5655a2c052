import Foundation
import Testing
@testable import Inference

/// The stock hands back a freed buffer to the next allocation of its size, never lets stock + live
/// memory exceed the largest live total seen, and frees itself once idle for its decay.
@Suite struct BufferRecyclerTests {
    static let mib = 1 << 20

    /// A fresh allocation the way AlignedBuffer makes one.
    static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        var p: UnsafeMutableRawPointer?
        precondition(posix_memalign(&p, 64, bytes) == 0)
        return p!
    }

    @Test func givesBackTheSameBufferForTheSameSize() {
        let r = BufferRecycler(minimumBytes: Self.mib, evictingBytes: Self.mib, capacityBytes: 64 * Self.mib, decay: .seconds(60))
        let a = Self.allocate(2 * Self.mib)
        #expect(r.give(a, bytes: 2 * Self.mib))
        #expect(r.heldBytes == 2 * Self.mib)
        #expect(r.take(bytes: 2 * Self.mib) == a)
        #expect(r.heldBytes == 0)
        free(a)
    }

    @Test func keepsNothingBelowTheMinimumOrAboveTheCapacity() {
        let r = BufferRecycler(minimumBytes: Self.mib, evictingBytes: Self.mib, capacityBytes: 3 * Self.mib, decay: .seconds(60))
        let small = Self.allocate(Self.mib / 2), a = Self.allocate(2 * Self.mib), b = Self.allocate(2 * Self.mib)
        #expect(!r.give(small, bytes: Self.mib / 2))
        #expect(r.take(bytes: Self.mib / 2) == nil)
        #expect(r.give(a, bytes: 2 * Self.mib))
        #expect(!r.give(b, bytes: 2 * Self.mib), "a second 2 MiB would exceed the 3 MiB capacity")
        #expect(r.heldBytes == 2 * Self.mib)
        free(small); free(b)
        r.trim()
        #expect(r.heldBytes == 0)
    }

    /// A large miss frees the oldest stocked buffers, at least as many bytes as it asks for.
    @Test func aLargeMissFreesAtLeastItsSizeOldestFirst() {
        let r = BufferRecycler(minimumBytes: Self.mib, evictingBytes: Self.mib, capacityBytes: 64 * Self.mib, decay: .seconds(60))
        let sizes = [2, 3, 4].map { $0 * Self.mib }
        let buffers = sizes.map(Self.allocate)
        for (p, n) in zip(buffers, sizes) { #expect(r.give(p, bytes: n)) }
        #expect(r.heldBytes == 9 * Self.mib)
        // 5 MiB is in no entry: the 2 and 3 MiB ones (given first) go, the 4 MiB one stays.
        #expect(r.take(bytes: 5 * Self.mib) == nil)
        #expect(r.heldBytes == 4 * Self.mib)
        #expect(r.take(bytes: 4 * Self.mib) == buffers[2])
        free(buffers[2])
    }

    @Test func aSmallMissEvictsNothing() {
        let r = BufferRecycler(minimumBytes: Self.mib, evictingBytes: 8 * Self.mib, capacityBytes: 64 * Self.mib,
                               decay: .seconds(60))
        let a = Self.allocate(2 * Self.mib)
        #expect(r.give(a, bytes: 2 * Self.mib))
        #expect(r.take(bytes: 3 * Self.mib) == nil)
        #expect(r.heldBytes == 2 * Self.mib)
        #expect(r.take(bytes: 8 * Self.mib) == nil)
        #expect(r.heldBytes == 0, "an 8 MiB miss frees the 2 MiB buffer to make room")
    }

    /// When every miss makes room, live + stock never exceeds the peak live total, over many rounds
    /// of a pass-like pattern of allocations and frees.
    @Test func evictingMissesNeverHoldMoreThanThePeak() {
        let r = BufferRecycler(minimumBytes: Self.mib, evictingBytes: Self.mib, capacityBytes: 1 << 30, decay: .seconds(60))
        var live: [(UnsafeMutableRawPointer, Int)] = [], liveBytes = 0, peak = 0
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Int(state >> 33) }
        for _ in 0..<2000 {
            if live.isEmpty || next() % 3 != 0, live.count < 12 {
                let bytes = (1 + next() % 6) * Self.mib
                let p = r.take(bytes: bytes) ?? Self.allocate(bytes)
                live.append((p, bytes)); liveBytes += bytes
            } else {
                let (p, bytes) = live.remove(at: next() % live.count)
                liveBytes -= bytes
                if !r.give(p, bytes: bytes) { free(p) }
            }
            peak = max(peak, liveBytes)
            #expect(liveBytes + r.heldBytes <= peak)
        }
        for (p, bytes) in live where !r.give(p, bytes: bytes) { free(p) }
        r.trim()
    }

    @Test func anIdleStockDecays() async throws {
        let r = BufferRecycler(minimumBytes: Self.mib, evictingBytes: Self.mib, capacityBytes: 64 * Self.mib, decay: .milliseconds(50))
        #expect(r.give(Self.allocate(2 * Self.mib), bytes: 2 * Self.mib))
        #expect(r.heldBytes == 2 * Self.mib)
        let deadline = ContinuousClock.now + .seconds(30)
        while r.heldBytes > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(r.heldBytes == 0, "the stock should be freed about 50 ms after its last use")
    }
}
