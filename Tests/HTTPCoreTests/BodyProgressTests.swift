import Testing
@testable import HTTPCore

/// The body timeouts without sockets or clocks: times are nanoseconds chosen by the test.
struct BodyProgressTests {
    static let second: UInt64 = 1_000_000_000
    static var timeouts: HTTPServerConfiguration.Timeouts {
        var t = HTTPServerConfiguration.Timeouts()
        t.bodyIdle = .seconds(30)
        t.minimumBodyBytesPerSecond = 1024
        t.minimumRateWindow = .seconds(20)
        return t
    }

    @Test func aClientThatKeepsUpIsNeverStopped() {
        var progress = BodyProgress()
        progress.restart(at: 0)
        for s in 1...120 {
            progress.received(4096, at: UInt64(s) * Self.second)
            #expect(progress.check(at: UInt64(s) * Self.second, timeouts: Self.timeouts) == nil, "second \(s)")
        }
    }

    @Test func aTrickleBelowTheMinimumRateIsStoppedAtTheEndOfTheWindow() {
        var progress = BodyProgress()
        progress.restart(at: 0)
        var stoppedAt: Int?
        for s in 1...60 where stoppedAt == nil {
            progress.received(100, at: UInt64(s) * Self.second)  // a byte now and then: never idle
            if let error = progress.check(at: UInt64(s) * Self.second, timeouts: Self.timeouts) {
                #expect(error.status == .requestTimeout && error.detail.contains("slower than 1024 bytes/s"))
                stoppedAt = s
            }
        }
        #expect(stoppedAt == 20)
    }

    @Test func silenceIsStoppedByTheIdleTimeout() {
        var progress = BodyProgress()
        progress.restart(at: 0)
        progress.received(1 << 20, at: Self.second)
        #expect(progress.check(at: 30 * Self.second, timeouts: Self.timeouts) == nil)
        let error = progress.check(at: 32 * Self.second, timeouts: Self.timeouts)
        #expect(error?.detail.contains("no request body bytes arrived") == true)
        #expect(progress.isIdle(at: 32 * Self.second, longerThan: .seconds(30)))
    }

    /// While the handler does not read, the client is not held to any rate; reading again starts
    /// both timeouts afresh.
    @Test func aPausedBodyIsNotTheClientsFault() {
        var progress = BodyProgress()
        progress.restart(at: 0)
        progress.pause()
        for s in stride(from: 10, through: 300, by: 10) {
            #expect(progress.check(at: UInt64(s) * Self.second, timeouts: Self.timeouts) == nil)
        }
        progress.restart(at: 300 * Self.second)
        #expect(!progress.isPaused)
        #expect(progress.check(at: 329 * Self.second, timeouts: Self.timeouts) != nil, "nothing came in the next window")
    }
}
