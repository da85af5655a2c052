import Testing
@testable import HTTPCore

@Suite struct LogThrottleTests {
    @Test func firstLineGoesThroughAndRepeatsWithinTheIntervalAreCounted() {
        var throttle = LogThrottle(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(throttle.admit(at: start) == 0)
        #expect(throttle.admit(at: start + .seconds(1)) == nil)
        #expect(throttle.admit(at: start + .milliseconds(9_999)) == nil)
        // The next line after the interval reports the two it held back, then the count restarts.
        #expect(throttle.admit(at: start + .seconds(10)) == 2)
        #expect(throttle.admit(at: start + .seconds(15)) == nil)
        #expect(throttle.admit(at: start + .seconds(21)) == 1)
        #expect(throttle.admit(at: start + .seconds(40)) == 0)
    }

    @Test func aThousandFailuresInOneSecondGiveOneLine() {
        var throttle = LogThrottle(interval: .seconds(10))
        let start = ContinuousClock.now
        let emitted = (0..<1000).filter { throttle.admit(at: start + .milliseconds($0)) != nil }
        #expect(emitted == [0])
    }
}
