/// One connection's states and transitions, without sockets, Dispatch or clocks: events in
/// (bytes arrived, a head parsed, the response finished, the output drained, a timer tick), actions
/// out (fail the body, close, shut the write side, ...), which `HTTPConnection` performs. Times are
/// DispatchTime nanoseconds passed in by the caller, so every rule is a unit test
/// (`ConnectionStateMachineTests`), the way swift-nio tests its HTTP/1 state machine.
///
/// What it owns: where the input stands (a head, a body for the handler, a body being discarded,
/// nothing more), the request in flight's keep-alive bookkeeping, and the timestamps of the
/// timeouts. What it does not: the buffers, the parser's scan position, the handler's task and body
/// channel (the driver's, reached through actions).
struct ConnectionStateMachine {
    /// The parts of `HTTPServerConfiguration` the rules read.
    struct Settings {
        var limits: HTTPLimits
        var timeouts: HTTPServerConfiguration.Timeouts
        var outboundHighWaterMark: Int
        var maxDiscardBytes: Int

        init(_ configuration: HTTPServerConfiguration) {
            limits = configuration.limits
            timeouts = configuration.timeouts
            outboundHighWaterMark = configuration.outboundHighWaterMark
            maxDiscardBytes = configuration.maxDiscardBytes
        }
    }

    enum Input {
        /// Waiting for (or parsing) a request head.
        case head
        /// Delivering a body to the handler.
        case body(BodyDecoder)
        /// Reading and dropping a body the handler did not want, to keep the connection usable.
        case discarding(BodyDecoder)
        /// No further request is read: input is dropped until EOF; once the final response is out,
        /// the write side is shut and the connection lingers until the deadline.
        case lingering
    }

    /// The request being answered, as far as the connection's fate goes.
    struct Exchange {
        /// When its head began to arrive (the access log's start).
        let startedAt: UInt64
        var keepAlive: Bool
        let expectsContinue: Bool
        var continueSent = false
        var bodyComplete: Bool
        var headSent = false
    }

    /// What the driver does, in order.
    enum Action: Equatable {
        /// Fail the body channel the handler reads with this error.
        case failBody(HTTPError)
        /// Cancel the handler's task (its client is gone).
        case cancelHandler
        /// The handler has answered: it reads no more of the body channel.
        case abandonBody
        /// Queue `100 Continue` and flush.
        case sendContinue
        /// Queue a closing error response for a request that could not be read (logged).
        case respondWithError(HTTPError)
        /// Forget the buffered input: no further request will be read from it.
        case dropBufferedInput
        /// Send what is queued (and report `outboundDrained` when it is all out).
        case flush
        /// The final response is out: shut the write side, keep reading until the deadline.
        case shutdownWrite
        /// Parse and dispatch whatever complete input is buffered.
        case processInput
        /// Tear the connection down (sources cancelled, socket closed); `reason` is logged at debug.
        case close(reason: String?)

        static func == (lhs: Action, rhs: Action) -> Bool {
            switch (lhs, rhs) {
            case (.failBody(let a), .failBody(let b)), (.respondWithError(let a), .respondWithError(let b)):
                a.status == b.status && a.detail == b.detail
            case (.cancelHandler, .cancelHandler), (.abandonBody, .abandonBody), (.sendContinue, .sendContinue),
                 (.dropBufferedInput, .dropBufferedInput), (.flush, .flush), (.shutdownWrite, .shutdownWrite),
                 (.processInput, .processInput):
                true
            case (.close(let a), .close(let b)):
                a == b
            default:
                false
            }
        }
    }

    /// What the input loop does next.
    enum InputStep: Equatable {
        case parseHead
        case decodeBody
        case discardBody
        /// Lingering: the buffered bytes are dropped.
        case dropInput
        /// Nothing to do until more input, a response or more room.
        case wait
    }

    /// The outcome of `decodeBody`.
    enum BodyStep {
        /// `consumed` wire bytes were read; `complete` when that was the body's end.
        case decoded(consumed: Int, complete: Bool, trailers: HTTPHeaders)
        /// The body broke its framing or a limit: perform the actions.
        case failed([Action])
    }

    let settings: Settings
    private(set) var input: Input = .head
    private(set) var exchange: Exchange?
    private(set) var peerClosedInput = false
    private(set) var isClosed = false
    /// Set by graceful shutdown: answer the request in flight with `Connection: close`, accept no more.
    private(set) var isDraining = false
    private(set) var servedRequests = 0

    private(set) var idleSince: UInt64
    /// When the head being received began to arrive; nil while nothing of one is buffered.
    private(set) var headStartedAt: UInt64?
    private(set) var bodyProgress = BodyProgress()
    /// When the output last moved; 0 while nothing waits to be sent.
    private(set) var lastWriteProgress: UInt64 = 0
    /// When a lingering connection closes; 0 until the final response is out.
    private(set) var lingerDeadline: UInt64 = 0

    init(settings: Settings, now: UInt64) {
        self.settings = settings
        idleSince = now
    }

    // MARK: - Input

    /// Bytes arrived: the first of a head starts the head timeout.
    mutating func bytesReceived(at now: UInt64) {
        if headStartedAt == nil, exchange == nil, case .head = input { headStartedAt = now }
    }

    /// The peer shut its sending side (EOF).
    mutating func inputEnded() -> [Action] {
        peerClosedInput = true
        switch input {
        case .head:
            guard exchange != nil else { return close() }
            // The client closed its sending side while we work on its request. Like Go's net/http,
            // take that as "gone": cancel the handler, still try to answer.
            exchange?.keepAlive = false
            return [.cancelHandler]
        case .body:
            return [.failBody(HTTPError(.badRequest, detail: "the client closed the connection before the body was complete")),
                    .cancelHandler] + close()
        case .discarding, .lingering:
            return close()
        }
    }

    func nextInputStep(inboundBytes: Int, outboundBytes: Int) -> InputStep {
        guard !isClosed else { return .wait }
        switch input {
        case .head:
            guard exchange == nil, !isDraining, outboundBytes < settings.outboundHighWaterMark, inboundBytes > 0 else { return .wait }
            return .parseHead
        case .body: return inboundBytes > 0 ? .decodeBody : .wait
        case .discarding: return inboundBytes > 0 ? .discardBody : .wait
        case .lingering: return .dropInput
        }
    }

    /// A head was parsed: the exchange begins. Returns it (the keep-alive wish of the client,
    /// unless the server is draining).
    mutating func requestStarted(framing: BodyFraming, keepAlive: Bool, expectsContinue: Bool, at now: UInt64) -> Exchange {
        if framing == .none {
            input = .head
        } else {
            input = .body(BodyDecoder(framing: framing, limits: settings.limits))
            bodyProgress.restart(at: now)
        }
        let started = Exchange(
            startedAt: headStartedAt ?? now, keepAlive: keepAlive && !isDraining,
            expectsContinue: expectsContinue, bodyComplete: framing == .none)
        exchange = started
        headStartedAt = nil
        return started
    }

    /// A head could not be read (malformed, or too slow): answer with the error, then close, since
    /// the byte stream can no longer be trusted to hold request boundaries.
    mutating func protocolError(_ error: HTTPError) -> [Action] {
        [.respondWithError(error)] + beginLingeringClose()
    }

    /// Decodes the body's bytes at the front of `bytes`, handing its data to `emit`.
    mutating func decodeBody(_ bytes: UnsafeRawBufferPointer, at now: UInt64, emit: (UnsafeRawBufferPointer) -> Void) -> BodyStep {
        guard case .body(var decoder) = input else { return .decoded(consumed: 0, complete: false, trailers: HTTPHeaders()) }
        let consumed: Int
        do {
            consumed = try decoder.decode(bytes, emit: emit)
        } catch {
            exchange?.keepAlive = false
            exchange?.bodyComplete = true
            return .failed([.failBody(error)] + dropFurtherInput())
        }
        bodyProgress.received(consumed, at: now)
        guard decoder.isComplete else {
            input = .body(decoder)
            return .decoded(consumed: consumed, complete: false, trailers: HTTPHeaders())
        }
        exchange?.bodyComplete = true
        input = .head
        headStartedAt = nil
        return .decoded(consumed: consumed, complete: true, trailers: decoder.trailers)
    }

    /// The handler's buffer is full: the socket is not read until it asks for more.
    mutating func consumerPaused() {
        bodyProgress.pause()
    }

    /// The handler asks for (more of) the body.
    mutating func consumerWantsMore(at now: UInt64) -> [Action] {
        guard !isClosed, var current = exchange else { return [] }
        var actions: [Action] = []
        if current.expectsContinue && !current.continueSent && !current.headSent {
            current.continueSent = true
            exchange = current
            actions.append(.sendContinue)
        }
        bodyProgress.restart(at: now)
        return actions + [.processInput]
    }

    /// Reads past a body nobody wants. Returns the wire bytes consumed and what to do.
    mutating func discardBody(_ bytes: UnsafeRawBufferPointer, at now: UInt64) -> (consumed: Int, actions: [Action]) {
        guard case .discarding(var decoder) = input else { return (0, []) }
        let consumed: Int
        do {
            consumed = try decoder.decode(bytes) { _ in }
        } catch {
            return (0, beginLingeringClose())
        }
        bodyProgress.received(consumed, at: now)
        if decoder.isComplete {
            input = .head
            idleSince = now
            headStartedAt = bytes.count > consumed ? now : nil
        } else if decoder.bytesSeen > settings.maxDiscardBytes {
            return (consumed, beginLingeringClose())
        } else {
            input = .discarding(decoder)
        }
        return (consumed, [])
    }

    /// Whether the socket should be read now.
    func wantsToRead(inboundBytes: Int, outboundBytes: Int) -> Bool {
        guard !isClosed, !peerClosedInput else { return false }
        switch input {
        case .lingering, .discarding: return true
        case .body: return !bodyProgress.isPaused
        case .head:
            return exchange == nil
                ? outboundBytes < settings.outboundHighWaterMark && !isDraining
                : inboundBytes < settings.limits.maxHeaderBytes
        }
    }

    // MARK: - Output

    /// The response's head is about to be queued. Whatever the handler did not read of the body
    /// decides whether the connection survives. Returns whether the response says keep-alive, and
    /// the actions to perform first; nil when there is no exchange (closed).
    mutating func responseHeadStarting(closeDelimited: Bool) -> (keepAlive: Bool, actions: [Action])? {
        guard var current = exchange, !isClosed else { return nil }
        var actions: [Action] = []
        if !current.bodyComplete, case .body(let decoder) = input {
            actions.append(.abandonBody)
            if current.expectsContinue && !current.continueSent {
                // The client is waiting for our go-ahead and will not send the body: closing is the
                // only way to keep the framing in sync (RFC 9110 §10.1.1).
                current.keepAlive = false
                actions += dropFurtherInput()
            } else if let remaining = decoder.remainingLength, remaining > settings.maxDiscardBytes {
                current.keepAlive = false
                actions += dropFurtherInput()
            } else {
                input = .discarding(decoder)
            }
        }
        if isDraining || closeDelimited { current.keepAlive = false }
        current.headSent = true
        exchange = current
        return (current.keepAlive, actions)
    }

    /// The response is out of the handler's hands (`complete` false: its body stream failed).
    mutating func responseFinished(complete: Bool, inboundBytes: Int, at now: UInt64) -> [Action] {
        guard let finished = exchange, !isClosed else { return [] }
        servedRequests += 1
        exchange = nil
        // Too late for an error status: end the connection without the final chunk.
        guard complete else { return close() }
        if !finished.keepAlive || peerClosedInput || isDraining { return beginLingeringClose() }
        idleSince = now
        // Bytes of the next request may already be here (pipelining): its head timeout runs from now.
        headStartedAt = inboundBytes > 0 ? now : nil
        return [.processInput]
    }

    /// A flush sent `sent` bytes; `done` when nothing is left queued.
    mutating func wrote(_ sent: Int, done: Bool, at now: UInt64) {
        if sent > 0 || (!done && lastWriteProgress == 0) { lastWriteProgress = now }
    }

    /// Everything queued has been sent.
    mutating func outboundDrained(at now: UInt64) -> [Action] {
        lastWriteProgress = 0
        var actions: [Action] = []
        if case .lingering = input, exchange == nil, !isClosed {
            actions.append(.shutdownWrite)
            if lingerDeadline == 0 { lingerDeadline = now + settings.timeouts.lingeringClose.nanoseconds }
            if peerClosedInput { actions += close() }
        }
        // A pipelined request may have waited for the outbound queue to shrink.
        if case .head = input, exchange == nil, !isClosed { actions.append(.processInput) }
        return actions
    }

    // MARK: - Lifecycle

    /// Graceful shutdown: an idle connection closes now; a busy one finishes its request first.
    mutating func beginDraining(inboundBytes: Int, outboundBytes: Int) -> [Action] {
        guard !isClosed else { return [] }
        isDraining = true
        exchange?.keepAlive = false
        return exchange == nil && inboundBytes == 0 && outboundBytes == 0 ? close() : []
    }

    /// The timer fired: the timeout that has run out, if any.
    mutating func tick(at now: UInt64, inboundBytes: Int, outboundBytes: Int) -> [Action] {
        guard !isClosed else { return [] }
        let timeouts = settings.timeouts
        if outboundBytes > 0, lastWriteProgress > 0, now - lastWriteProgress > timeouts.write.nanoseconds {
            return close(reason: "the response write made no progress for \(timeouts.write)")
        }
        switch input {
        case .lingering:
            if lingerDeadline > 0 && now > lingerDeadline { return close() }
        case .head where exchange == nil:
            if let headStartedAt, inboundBytes > 0 || servedRequests == 0 {
                if now - headStartedAt > timeouts.header.nanoseconds {
                    return protocolError(HTTPError(.requestTimeout, detail: "the request head was not received within \(timeouts.header)"))
                }
            } else if inboundBytes == 0 && outboundBytes == 0 {
                let limit = servedRequests == 0 ? timeouts.header : timeouts.keepAlive
                if now - idleSince > limit.nanoseconds { return close() }
            }
        case .body:
            guard let failure = bodyProgress.check(at: now, timeouts: timeouts) else { return [] }
            exchange?.keepAlive = false
            exchange?.bodyComplete = true
            return [.failBody(failure)] + dropFurtherInput() + (exchange == nil ? close() : [])
        case .discarding:
            if bodyProgress.isIdle(at: now, longerThan: timeouts.bodyIdle) { return close() }
        case .head:
            break
        }
        return []
    }

    /// The connection ends now (an I/O error, the shutdown deadline, or a rule above).
    mutating func close(reason: String? = nil) -> [Action] {
        guard !isClosed else { return [] }
        isClosed = true
        return [.close(reason: reason)]
    }

    /// The one way into `.lingering`: no further request is read on this connection.
    private mutating func dropFurtherInput() -> [Action] {
        input = .lingering
        return [.dropBufferedInput]
    }

    /// No further request, and the answer so far is final: send what is queued, then linger
    /// (`outboundDrained` shuts the write side once the queue is empty).
    private mutating func beginLingeringClose() -> [Action] {
        dropFurtherInput() + [.flush]
    }
}
