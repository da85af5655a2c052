import Testing
@testable import HTTPCore

/// The connection's rules without sockets or clocks: events are fed by hand, times are nanoseconds
/// chosen by the test, and the actions the driver would perform are compared.
struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine
    static let second: UInt64 = 1_000_000_000

    static func machine(maxDiscardBytes: Int = 1024) -> Machine {
        var configuration = HTTPServerConfiguration()
        configuration.maxDiscardBytes = maxDiscardBytes
        return Machine(settings: .init(configuration), now: 0)
    }

    /// A request whose head has been parsed at `now`.
    static func started(_ m: inout Machine, framing: BodyFraming = .none, keepAlive: Bool = true,
                        expectsContinue: Bool = false, at now: UInt64 = 0) {
        m.bytesReceived(at: now)
        #expect(m.nextInputStep(inboundBytes: 64, outboundBytes: 0) == .parseHead)
        _ = m.requestStarted(framing: framing, keepAlive: keepAlive, expectsContinue: expectsContinue, at: now)
    }

    static func decode(_ m: inout Machine, _ text: String, at now: UInt64 = 0) -> (Machine.BodyStep, [UInt8]) {
        var data: [UInt8] = []
        let step = Array(text.utf8).withUnsafeBytes { m.decodeBody($0, at: now) { data.append(contentsOf: $0) } }
        return (step, data)
    }

    static func discard(_ m: inout Machine, _ count: Int, at now: UInt64 = 0) -> (consumed: Int, actions: [Machine.Action]) {
        [UInt8](repeating: 0x61, count: count).withUnsafeBytes { m.discardBody($0, at: now) }
    }

    @Test func aKeepAliveExchangeReturnsToReadingTheNextHead() {
        var m = Self.machine()
        Self.started(&m)
        #expect(m.nextInputStep(inboundBytes: 64, outboundBytes: 0) == .wait, "one request at a time")
        let head = m.responseHeadStarting(closeDelimited: false)
        #expect(head?.keepAlive == true)
        #expect(head?.actions == [])
        #expect(m.responseFinished(complete: true, inboundBytes: 0, at: Self.second) == [.processInput])
        #expect(m.servedRequests == 1)
        #expect(m.headStartedAt == nil, "no head timeout while nothing of the next request is here")
        #expect(m.nextInputStep(inboundBytes: 10, outboundBytes: 0) == .parseHead)
    }

    @Test func aPipelinedRequestStartsItsHeadTimeoutWhenTheResponseIsDone() {
        var m = Self.machine()
        Self.started(&m)
        _ = m.responseHeadStarting(closeDelimited: false)
        _ = m.responseFinished(complete: true, inboundBytes: 30, at: 5 * Self.second)
        #expect(m.headStartedAt == 5 * Self.second)
    }

    @Test func connectionCloseLingersAfterTheResponseThenCloses() {
        var m = Self.machine()
        Self.started(&m, keepAlive: false)
        #expect(m.responseHeadStarting(closeDelimited: false)?.keepAlive == false)
        #expect(m.responseFinished(complete: true, inboundBytes: 0, at: 0) == [.dropBufferedInput, .flush])
        #expect(m.nextInputStep(inboundBytes: 100, outboundBytes: 0) == .dropInput)
        #expect(m.wantsToRead(inboundBytes: 0, outboundBytes: 0), "a lingering connection reads and drops")
        #expect(m.outboundDrained(at: Self.second) == [.shutdownWrite])
        #expect(m.tick(at: 2 * Self.second, inboundBytes: 0, outboundBytes: 0) == [])
        #expect(m.tick(at: 3 * Self.second + 1, inboundBytes: 0, outboundBytes: 0) == [.close(reason: nil)])
        #expect(m.isClosed)
        #expect(m.tick(at: 4 * Self.second, inboundBytes: 0, outboundBytes: 0) == [], "closing is done once")
    }

    @Test func aPeerThatAlreadyClosedIsClosedOnceTheFinalResponseIsOut() {
        var m = Self.machine()
        Self.started(&m)
        #expect(m.inputEnded() == [.cancelHandler], "the handler is told, the answer still goes out")
        #expect(m.responseHeadStarting(closeDelimited: false)?.keepAlive == false)
        #expect(m.responseFinished(complete: true, inboundBytes: 0, at: 0) == [.dropBufferedInput, .flush])
        #expect(m.outboundDrained(at: 0) == [.shutdownWrite, .close(reason: nil)])
    }

    @Test func endOfInputMidBodyFailsTheBodyAndCloses() {
        var m = Self.machine()
        Self.started(&m, framing: .length(100))
        #expect(m.inputEnded() == [
            .failBody(HTTPError(.badRequest, detail: "the client closed the connection before the body was complete")),
            .cancelHandler, .close(reason: nil),
        ])
    }

    @Test func endOfInputBetweenRequestsCloses() {
        var m = Self.machine()
        #expect(m.inputEnded() == [.close(reason: nil)])
    }

    @Test func aBodyIsDecodedToItsEndAndTheNextHeadFollows() {
        var m = Self.machine()
        Self.started(&m, framing: .length(5))
        let (first, data) = Self.decode(&m, "helloGET / HTTP/1.1")
        guard case .decoded(let consumed, let complete, _) = first else {
            Issue.record("expected the body, got \(first)")
            return
        }
        #expect(consumed == 5)
        #expect(complete)
        #expect(data == Array("hello".utf8))
        #expect(m.exchange?.bodyComplete == true)
        #expect(m.nextInputStep(inboundBytes: 14, outboundBytes: 0) == .wait, "the next head waits for the response")
    }

    @Test func aMalformedChunkedBodyFailsAndStopsReadingRequests() {
        var m = Self.machine()
        Self.started(&m, framing: .chunked)
        let (step, _) = Self.decode(&m, "zz\r\n")
        guard case .failed(let actions) = step else {
            Issue.record("expected a failure, got \(step)")
            return
        }
        #expect(actions.count == 2)
        if case .failBody(let error) = actions.first { #expect(error.status == .badRequest) } else { Issue.record("\(actions)") }
        #expect(actions.last == .dropBufferedInput)
        #expect(m.exchange?.keepAlive == false)
        #expect(m.responseHeadStarting(closeDelimited: false)?.actions == [], "the body is settled already")
        #expect(m.nextInputStep(inboundBytes: 10, outboundBytes: 0) == .dropInput)
    }

    @Test func aSmallUnreadBodyIsDiscardedAndTheConnectionKept() {
        var m = Self.machine(maxDiscardBytes: 1024)
        Self.started(&m, framing: .length(600))
        let head = m.responseHeadStarting(closeDelimited: false)
        #expect(head?.keepAlive == true)
        #expect(head?.actions == [.abandonBody])
        #expect(m.nextInputStep(inboundBytes: 100, outboundBytes: 0) == .discardBody)
        #expect(Self.discard(&m, 500).actions == [])
        let last = Self.discard(&m, 150, at: Self.second)
        #expect(last.consumed == 100)
        #expect(last.actions == [])
        #expect(m.headStartedAt == Self.second, "the next request's bytes came with the body's end")
        #expect(m.responseFinished(complete: true, inboundBytes: 50, at: Self.second) == [.processInput])
    }

    @Test func aLargeUnreadBodyClosesTheConnectionInsteadOfBeingRead() {
        var m = Self.machine(maxDiscardBytes: 1024)
        Self.started(&m, framing: .length(10_000))
        let head = m.responseHeadStarting(closeDelimited: false)
        #expect(head?.keepAlive == false)
        #expect(head?.actions == [.abandonBody, .dropBufferedInput])
    }

    @Test func aChunkedBodyBeingDiscardedIsCutOffAtTheLimit() {
        var m = Self.machine(maxDiscardBytes: 1024)
        Self.started(&m, framing: .chunked)
        #expect(m.responseHeadStarting(closeDelimited: false)?.keepAlive == true, "its size is unknown: try to keep it")
        var chunk = Array("400\r\n".utf8) + [UInt8](repeating: 0x61, count: 0x400) + Array("\r\n".utf8)
        chunk += chunk
        let (_, actions) = chunk.withUnsafeBytes { m.discardBody($0, at: 0) }
        #expect(actions == [.dropBufferedInput, .flush])
    }

    @Test func anUnansweredExpectContinueClosesTheConnection() {
        var m = Self.machine()
        Self.started(&m, framing: .length(10), expectsContinue: true)
        let head = m.responseHeadStarting(closeDelimited: false)
        #expect(head?.keepAlive == false, "the client never sends a body it was not asked for")
        #expect(head?.actions == [.abandonBody, .dropBufferedInput])
    }

    @Test func continueIsSentOnceWhenTheHandlerFirstReads() {
        var m = Self.machine()
        Self.started(&m, framing: .length(10), expectsContinue: true)
        #expect(m.consumerWantsMore(at: 0) == [.sendContinue, .processInput])
        #expect(m.consumerWantsMore(at: 0) == [.processInput])
        #expect(m.responseHeadStarting(closeDelimited: false)?.actions == [.abandonBody], "the body will come: discard it")
    }

    @Test func backpressureStopsReadingUntilTheHandlerAsks() {
        var m = Self.machine()
        Self.started(&m, framing: .length(1_000_000))
        #expect(m.wantsToRead(inboundBytes: 0, outboundBytes: 0))
        m.consumerPaused()
        #expect(!m.wantsToRead(inboundBytes: 0, outboundBytes: 0))
        #expect(m.tick(at: 60 * Self.second, inboundBytes: 0, outboundBytes: 0) == [], "the handler is the one late")
        _ = m.consumerWantsMore(at: 60 * Self.second)
        #expect(m.wantsToRead(inboundBytes: 0, outboundBytes: 0))
    }

    @Test func aStalledBodyEndsTheRequestWith408() {
        var m = Self.machine()
        Self.started(&m, framing: .length(200_000))
        _ = Self.decode(&m, String(repeating: "a", count: 100_000), at: Self.second)
        #expect(m.tick(at: 21 * Self.second, inboundBytes: 0, outboundBytes: 0) == [], "fast enough so far")
        let actions = m.tick(at: 32 * Self.second, inboundBytes: 0, outboundBytes: 0)
        #expect(actions == [
            .failBody(HTTPError(.requestTimeout, detail: "no request body bytes arrived for 30.0 seconds")), .dropBufferedInput,
        ])
        #expect(m.exchange?.keepAlive == false, "the handler still answers; then the connection closes")
    }

    @Test func aSlowHeadIsAnswered408() {
        var m = Self.machine()
        m.bytesReceived(at: Self.second)
        #expect(m.tick(at: 10 * Self.second, inboundBytes: 20, outboundBytes: 0) == [])
        let actions = m.tick(at: 12 * Self.second, inboundBytes: 20, outboundBytes: 0)
        #expect(actions == [
            .respondWithError(HTTPError(.requestTimeout, detail: "the request head was not received within 10.0 seconds")),
            .dropBufferedInput, .flush,
        ])
    }

    @Test func idleConnectionsCloseAfterTheirTimeout() {
        var fresh = Self.machine()
        #expect(fresh.tick(at: 11 * Self.second, inboundBytes: 0, outboundBytes: 0) == [.close(reason: nil)],
                "a connection that never sent a request gets the header timeout")
        var kept = Self.machine()
        Self.started(&kept)
        _ = kept.responseHeadStarting(closeDelimited: false)
        _ = kept.responseFinished(complete: true, inboundBytes: 0, at: Self.second)
        #expect(kept.tick(at: 75 * Self.second, inboundBytes: 0, outboundBytes: 0) == [])
        #expect(kept.tick(at: 77 * Self.second, inboundBytes: 0, outboundBytes: 0) == [.close(reason: nil)])
    }

    @Test func aResponseThatMakesNoProgressIsCutOff() {
        var m = Self.machine()
        Self.started(&m)
        _ = m.responseHeadStarting(closeDelimited: false)
        m.wrote(0, done: false, at: Self.second)
        #expect(m.tick(at: 30 * Self.second, inboundBytes: 0, outboundBytes: 4096) == [])
        m.wrote(100, done: false, at: 30 * Self.second)
        #expect(m.tick(at: 59 * Self.second, inboundBytes: 0, outboundBytes: 4096) == [], "progress restarts the clock")
        let actions = m.tick(at: 61 * Self.second, inboundBytes: 0, outboundBytes: 4096)
        #expect(actions == [.close(reason: "the response write made no progress for 30.0 seconds")])
    }

    @Test func aFailedResponseStreamClosesAtOnce() {
        var m = Self.machine()
        Self.started(&m)
        _ = m.responseHeadStarting(closeDelimited: false)
        #expect(m.responseFinished(complete: false, inboundBytes: 0, at: 0) == [.close(reason: nil)])
    }

    @Test func aCloseDelimitedResponseEndsTheConnection() {
        var m = Self.machine()
        Self.started(&m)
        #expect(m.responseHeadStarting(closeDelimited: true)?.keepAlive == false)
    }

    @Test func drainingClosesIdleConnectionsAndFinishesBusyOnes() {
        var idle = Self.machine()
        #expect(idle.beginDraining(inboundBytes: 0, outboundBytes: 0) == [.close(reason: nil)])
        var busy = Self.machine()
        Self.started(&busy)
        #expect(busy.beginDraining(inboundBytes: 0, outboundBytes: 0) == [])
        #expect(busy.responseHeadStarting(closeDelimited: false)?.keepAlive == false)
        #expect(busy.responseFinished(complete: true, inboundBytes: 0, at: 0) == [.dropBufferedInput, .flush])
        #expect(!busy.wantsToRead(inboundBytes: 0, outboundBytes: 0) || busy.nextInputStep(inboundBytes: 5, outboundBytes: 0) == .dropInput)
    }

    @Test func aFullOutboundQueueHoldsTheNextRequest() {
        var m = Self.machine()
        let full = HTTPServerConfiguration().outboundHighWaterMark
        #expect(m.nextInputStep(inboundBytes: 10, outboundBytes: full) == .wait)
        #expect(!m.wantsToRead(inboundBytes: 0, outboundBytes: full))
        #expect(m.outboundDrained(at: 0) == [.processInput], "draining the queue lets it through")
        #expect(m.nextInputStep(inboundBytes: 10, outboundBytes: 0) == .parseHead)
    }
}
