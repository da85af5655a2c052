@testable import AdjustService
import Testing

/// Coverage by vector compare-and-add (K ≤ 8) and by histogram (K > 8) against plain counting, on
/// lengths around the 64-byte steps and the 255-step blocks.
struct LabelMapTests {
    @Test(arguments: [(1, 2), (63, 2), (64 * 255 + 1, 3), (100_003, 4), (40_000, 12)])
    func coverageCountsEveryLabel(_ c: (count: Int, k: Int)) {
        var seed: UInt32 = 7
        let labels = (0..<c.count).map { _ -> UInt8 in
            seed = seed &* 1_664_525 &+ 1_013_904_223
            // Long runs of label 0 (as real maps have) and the rest spread over all presets.
            return seed >> 30 == 0 ? 0 : UInt8((seed >> 8) % UInt32(c.k))
        }
        let map = LabelMap(width: c.count, height: 1, labels: labels)
        let expected = (0..<c.k).map { k in Double(labels.filter { $0 == UInt8(k) }.count) / Double(c.count) }
        #expect(map.coverage(presetCount: c.k) == expected)
    }
}
