import AdjustService
import Testing

struct UploadBudgetTests {
    @Test func uploadsFitUntilTheBudgetIsFullAndFitAgainWhenReleased() throws {
        let budget = UploadBudget(bytes: 100)
        let a = try #require(budget.reserve(60))
        #expect(budget.reserve(41) == nil, "60 + 41 is over 100")
        let b = try #require(budget.reserve(40))
        #expect(budget.inUse == 100)
        #expect(budget.reserve(1) == nil)
        a.release()
        #expect(budget.inUse == 40)
        #expect(budget.reserve(60) != nil)
        b.release()
    }

    /// A body larger than the budget still gets in when nothing else is held (it is clamped): the
    /// HTTP layer's body limit, not the budget, bounds a single upload.
    @Test func oneUploadLargerThanTheBudgetIsClampedToIt() throws {
        let budget = UploadBudget(bytes: 100)
        let big = try #require(budget.reserve(1_000))
        #expect(big.bytes == 100 && budget.inUse == 100)
        big.release()
        #expect(budget.inUse == 0)
    }
}
