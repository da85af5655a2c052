/// Measures consecutive stages of one request.
struct StageClock {
    private var last = ContinuousClock.now
    private(set) var stages: [AdjustResult.Stage] = []

    init(after earlier: [AdjustResult.Stage] = []) {
        stages = earlier
    }

    mutating func lap(_ name: String) {
        let now = ContinuousClock.now
        stages.append(AdjustResult.Stage(name: name, duration: now - last))
        last = now
    }
}
