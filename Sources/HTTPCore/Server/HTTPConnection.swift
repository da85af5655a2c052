import Dispatch
import Logging
import Sockets

/// One client connection: reads and parses requests, hands each to the responder in a Task,
/// and writes responses back in order.
///
/// Concurrency: every stored property is touched only on `queue` (a serial queue per
/// connection), which is what makes the `@unchecked Sendable` sound. Handlers run elsewhere and
/// reach the connection only through `queue.async`.
final class HTTPConnection: @unchecked Sendable {
    let socket: Socket
    let remoteAddress: SocketAddress
    /// The peer's numeric host, formatted once for the access log and the forwarded-client check.
    private let peerHost: String
    private let forwarded: ForwardedClient
    let queue: DispatchQueue
    private let core: HTTPServerCore
    private var configuration: HTTPServerConfiguration { core.configuration }

    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var timer: (any DispatchSourceTimer)?
    private var readSuspended = true
    private var writeArmed = false
    private var pendingCancellations = 0

    private let inbound: InboundBuffer
    private var scanner = HeadScanner()
    private var input: InputState = .head
    private var exchange: Exchange?
    private var outbound = OutboundQueue()
    private var drainWaiters: [CheckedContinuation<Void, any Error>] = []

    private var peerClosedInput = false
    private var closed = false
    private var servedRequests = 0
    /// Set by graceful shutdown: answer the request in flight with `Connection: close`, accept no more.
    private var draining = false

    // Timing, in DispatchTime nanoseconds.
    private var idleSince: UInt64
    private var headStartedAt: UInt64?
    private var bodyProgress = BodyProgress()
    private var lastWriteProgress: UInt64 = 0
    private var lingerDeadline: UInt64 = 0

    private enum InputState {
        /// Waiting for (or parsing) a request head.
        case head
        /// Delivering a body to the handler.
        case body(BodyDecoder, BodyChannel)
        /// Reading and dropping a body the handler did not want, to keep the connection usable.
        case discarding(BodyDecoder)
        /// No further request is read: input is dropped until EOF (`dropFurtherInput`); once the
        /// final response is out, the write side is shut and the connection lingers (`afterDrain`).
        case lingering
    }

    /// The request currently being answered.
    private struct Exchange {
        let method: HTTPMethod
        let path: String
        let version: HTTPVersion
        let requestID: String
        /// The address the access log shows: the peer, or the client behind a trusted proxy.
        let clientAddress: String
        let startedAt: UInt64
        var keepAlive: Bool
        let expectsContinue: Bool
        var continueSent = false
        var bodyComplete: Bool
        var task: Task<Void, Never>?
        var channel: BodyChannel?
        var status = 0
        var bytesSent = 0
        var headSent = false
        var framing: ResponseSerializer.Framing = .none
        var isHead: Bool { method == .head }
    }

    init(socket: Socket, remoteAddress: SocketAddress, core: HTTPServerCore, queue: DispatchQueue) {
        self.socket = socket
        self.remoteAddress = remoteAddress
        self.peerHost = remoteAddress.host
        self.forwarded = ForwardedClient(trustedProxies: core.configuration.trustedProxies)
        self.core = core
        self.queue = queue
        self.inbound = InboundBuffer(initialCapacity: 16 * 1024, maxCapacity: core.configuration.limits.maxHeaderBytes + 64 * 1024)
        self.idleSince = Self.now()
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    // MARK: - Lifecycle

    /// Starts reading; call once, on any thread.
    func start() {
        queue.async { [self] in
            try? socket.setNoDelay()
            let read = DispatchSource.makeReadSource(fileDescriptor: socket.fileDescriptor, queue: queue)
            read.setEventHandler { [unowned self] in onReadable() }
            read.setCancelHandler { [self] in sourceCancelled() }
            let write = DispatchSource.makeWriteSource(fileDescriptor: socket.fileDescriptor, queue: queue)
            write.setEventHandler { [unowned self] in flush() }
            write.setCancelHandler { [self] in sourceCancelled() }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.setEventHandler { [unowned self] in onTick() }
            let tick = core.tickInterval
            timer.schedule(deadline: .now() + tick, repeating: tick, leeway: .milliseconds(50))
            readSource = read
            writeSource = write
            self.timer = timer
            pendingCancellations = 2
            timer.resume()
            read.resume()
            readSuspended = false
        }
    }

    /// Graceful shutdown: idle connections close now; busy ones finish their request first.
    func beginDraining() {
        queue.async { [self] in
            guard !closed else { return }
            draining = true
            exchange?.keepAlive = false
            if exchange == nil && inbound.readableCount == 0 && outbound.isEmpty {
                close()
            }
        }
    }

    /// Shutdown deadline passed: stop whatever is going on.
    func forceClose() {
        queue.async { [self] in close() }
    }

    private func sourceCancelled() {
        pendingCancellations -= 1
        if pendingCancellations == 0 {
            // Dispatch requires every source on a descriptor to be cancelled before it is closed.
            socket.close()
            core.connectionClosed(self)
        }
    }

    private func close() {
        guard !closed else { return }
        closed = true
        timer?.cancel()
        exchange?.task?.cancel()
        exchange?.channel?.fail(HTTPError(.badRequest, detail: "the connection was closed"))
        if case .body(_, let channel) = input {
            channel.fail(HTTPError(.badRequest, detail: "the connection was closed before the body was complete"))
        }
        let waiters = drainWaiters
        drainWaiters.removeAll()
        for waiter in waiters { waiter.resume(throwing: HTTPConnectionError.closed) }
        outbound.removeAll()
        if let readSource {
            readSource.cancel()
            if readSuspended { readSource.resume() }
        }
        if let writeSource {
            writeSource.cancel()
            if !writeArmed { writeSource.resume() }
        }
        if readSource == nil {
            socket.close()
            core.connectionClosed(self)
        }
    }

    // MARK: - Reading

    private func onReadable() {
        guard !closed else { return }
        let space = inbound.writableSpace(minimum: 16 * 1024)
        guard !space.isEmpty else {
            updateReadInterest()
            return
        }
        let result: Socket.IOResult
        do {
            result = try socket.read(into: space)
        } catch {
            close()
            return
        }
        switch result {
        case .bytes(let n):
            inbound.commit(n)
            if headStartedAt == nil, exchange == nil, case .head = input { headStartedAt = Self.now() }
            process()
        case .wouldBlock:
            return
        case .endOfFile:
            peerClosedInput = true
            handleEndOfInput()
        }
        updateReadInterest()
    }

    private func handleEndOfInput() {
        switch input {
        case .head:
            if exchange != nil {
                // The client closed its sending side while we work on its request. Like Go's
                // net/http, take that as "gone": cancel the handler, still try to answer.
                exchange?.task?.cancel()
                exchange?.keepAlive = false
            } else {
                close()
            }
        case .body(_, let channel):
            channel.fail(HTTPError(.badRequest, detail: "the client closed the connection before the body was complete"))
            exchange?.task?.cancel()
            close()
        case .discarding, .lingering:
            close()
        }
    }

    /// Parses and dispatches whatever complete input is buffered.
    private func process() {
        while !closed {
            switch input {
            case .head:
                guard exchange == nil, !draining, outbound.pendingBytes < configuration.outboundHighWaterMark,
                      inbound.readableCount > 0 else { return }
                do {
                    guard let range = try scanner.scan(inbound.readable, limits: configuration.limits) else { return }
                    let head = try HTTPRequestHeadParser.parse(
                        UnsafeRawBufferPointer(rebasing: inbound.readable[range]), limits: configuration.limits)
                    inbound.consume(range.upperBound)
                    scanner.reset()
                    try startExchange(head)
                } catch {
                    respondToProtocolError(error)
                    return
                }
            case .body(var decoder, let channel):
                guard inbound.readableCount > 0 else { return }
                var chunk: [UInt8] = []
                let consumed: Int
                do {
                    consumed = try decoder.decode(inbound.readable) { data in chunk.append(contentsOf: data) }
                } catch {
                    channel.fail(error)
                    exchange?.keepAlive = false
                    exchange?.bodyComplete = true
                    dropFurtherInput()
                    return
                }
                inbound.consume(consumed)
                countBodyBytes(consumed)
                var keepReading = true
                if !chunk.isEmpty { keepReading = channel.push(chunk) }
                if decoder.isComplete {
                    channel.finish(trailers: decoder.trailers)
                    exchange?.bodyComplete = true
                    input = .head
                    headStartedAt = nil
                } else {
                    input = .body(decoder, channel)
                }
                if !keepReading {
                    bodyProgress.pause()
                    updateReadInterest()
                    return
                }
            case .discarding(var decoder):
                guard inbound.readableCount > 0 else { return }
                do {
                    let consumed = try decoder.decode(inbound.readable) { _ in }
                    inbound.consume(consumed)
                    countBodyBytes(consumed)
                } catch {
                    beginLingeringClose()
                    return
                }
                if decoder.isComplete {
                    input = .head
                    idleSince = Self.now()
                    headStartedAt = inbound.readableCount > 0 ? idleSince : nil
                } else if decoder.bytesSeen > configuration.maxDiscardBytes {
                    beginLingeringClose()
                    return
                } else {
                    input = .discarding(decoder)
                }
            case .lingering:
                inbound.clear()
                return
            }
        }
    }

    private func countBodyBytes(_ n: Int) {
        bodyProgress.received(n, at: Self.now())
    }

    private func startExchange(_ head: HTTPRequestHead) throws(HTTPError) {
        let limits = configuration.limits  // the parser has refused a Content-Length over maxBodyBytes
        let requestID = head.headers[configuration.requestIDHeader].flatMap { RequestID.isAcceptable($0) ? $0 : nil }
            ?? RequestID.generate()
        let now = Self.now()
        let body: HTTPRequestBody
        if head.framing == .none {
            body = .empty
            input = .head
        } else {
            let channel = BodyChannel(highWaterMark: configuration.bodyBufferBytes, delegate: self)
            input = .body(BodyDecoder(framing: head.framing, limits: limits), channel)
            bodyProgress.restart(at: now)
            let expectedLength: Int? = if case .length(let n) = head.framing { n } else { nil }
            body = HTTPRequestBody(channel: channel, expectedLength: expectedLength)
        }
        let clientAddress = forwarded.clientAddress(peer: peerHost, headers: head.headers)
        let request = HTTPRequest(
            method: head.method, target: head.target, version: head.version, headers: head.headers,
            body: body, remoteAddress: remoteAddress, clientAddress: clientAddress, id: requestID
        )
        var exchange = Exchange(
            method: head.method, path: request.path, version: head.version,
            requestID: requestID, clientAddress: clientAddress, startedAt: headStartedAt ?? now, keepAlive: head.keepAlive && !draining,
            expectsContinue: head.expectsContinue, bodyComplete: head.framing == .none
        )
        exchange.channel = body.channel
        headStartedAt = nil
        let core = self.core
        exchange.task = Task { [self] in
            let response = await core.respond(to: request)
            await send(response)
        }
        self.exchange = exchange
    }

    // MARK: - Responding

    /// Runs on the handler's task: queues the response (and streams its body) in order.
    private func send(_ response: HTTPResponse) async {
        guard case .stream(_, let produce) = response.body else {
            // Fire and forget: awaiting the hop would wake the task pool once more per request
            // only to let this task return.
            queue.async { [self] in
                writeHead(of: response)
                if case .bytes(let bytes) = response.body, let framing = exchange?.framing, framing != .none {
                    enqueue(bytes)
                }
                finishResponse(complete: true)
            }
            return
        }
        let streams = await onQueue { [self] in
            writeHead(of: response)
            flush()
            return exchange.map { $0.framing != .none } ?? false
        }
        var producedAll = true
        if streams {
            do {
                try await produce(HTTPBodyWriter(sink: self))
            } catch {
                // Too late for an error status: end the connection without the final chunk,
                // so the client can tell the body is incomplete.
                core.logger.warning("response body stream failed: \(error)")
                producedAll = false
            }
        }
        let complete = producedAll
        await onQueue { [self] in
            if complete, exchange?.framing == .chunked { enqueue(ResponseSerializer.lastChunk) }
            finishResponse(complete: complete)
        }
    }

    /// Runs `body` on the connection's queue, from the handler's task.
    ///
    /// Handler tasks run on the Swift concurrency pool, not on the connection queue: measured
    /// under wrk (bench/http), a task executor bound to the connection queue was ~30 % slower
    /// than letting I/O and handlers run on different threads of the two cores.
    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    private func writeHead(of response: HTTPResponse) {
        guard var exchange, !closed else { return }
        // Whatever the handler did not read of the body decides whether the connection survives.
        if !exchange.bodyComplete {
            settleUnreadBody(&exchange)
        }
        if draining { exchange.keepAlive = false }
        let wireFraming = ResponseSerializer.framing(for: response, version: exchange.version)
        if wireFraming == .closeDelimited && !exchange.isHead { exchange.keepAlive = false }
        // HEAD gets the header fields GET would (Content-Length when known) and never a body.
        var headerFraming = wireFraming
        if exchange.isHead, case .length = wireFraming {} else if exchange.isHead { headerFraming = .none }
        exchange.framing = exchange.isHead ? .none : wireFraming
        exchange.status = response.status.code
        var extra = configuration.defaultResponseHeaders
        extra.add(configuration.requestIDHeader, exchange.requestID)
        if let name = configuration.serverName { extra.add("Server", name) }
        exchange.headSent = true
        self.exchange = exchange
        enqueue(ResponseSerializer.head(
            status: response.status, headers: response.headers, framing: headerFraming,
            keepAlive: exchange.keepAlive, version: exchange.version, extraHeaders: extra))
    }

    /// The handler answered before the body was fully read.
    private func settleUnreadBody(_ exchange: inout Exchange) {
        guard case .body(let decoder, let channel) = input else { return }
        channel.abandon()
        if exchange.expectsContinue && !exchange.continueSent {
            // The client is waiting for our go-ahead and will not send the body: closing is the
            // only way to keep the framing in sync (RFC 9110 §10.1.1).
            exchange.keepAlive = false
            dropFurtherInput()
            return
        }
        if let remaining = decoder.remainingLength, remaining > configuration.maxDiscardBytes {
            exchange.keepAlive = false
            dropFurtherInput()
            return
        }
        input = .discarding(decoder)
        updateReadInterest()
    }

    private func finishResponse(complete: Bool) {
        guard let exchange, !closed else { return }
        flush()
        servedRequests += 1
        core.logAccess(
            method: exchange.method.rawValue, path: exchange.path, status: exchange.status,
            bytes: exchange.bytesSent, startedAt: exchange.startedAt, requestID: exchange.requestID,
            remote: exchange.clientAddress)
        self.exchange = nil
        if !complete {
            close()
            return
        }
        if !exchange.keepAlive || peerClosedInput || draining {
            beginLingeringClose()
            return
        }
        idleSince = Self.now()
        // Bytes of the next request may already be here (pipelining): its head timeout runs from now.
        headStartedAt = inbound.readableCount > 0 ? idleSince : nil
        process()
        updateReadInterest()
    }

    private func enqueue(_ bytes: [UInt8]) {
        guard !closed else { return }
        exchange?.bytesSent += bytes.count
        outbound.append(bytes)
    }

    /// Sends what the socket takes; arms the write source for the rest.
    private func flush() {
        guard !closed else { return }
        do {
            let (done, sent) = try outbound.flush(to: socket)
            if sent > 0 { lastWriteProgress = Self.now() }
            if done {
                if writeArmed {
                    writeSource?.suspend()
                    writeArmed = false
                }
                afterDrain()
            } else if !writeArmed {
                if sent == 0 && lastWriteProgress == 0 { lastWriteProgress = Self.now() }
                writeArmed = true
                writeSource?.resume()
            }
            if outbound.pendingBytes < configuration.outboundHighWaterMark { resumeDrainWaiters() }
        } catch {
            close()
        }
    }

    private func afterDrain() {
        lastWriteProgress = 0
        if case .lingering = input, exchange == nil, !closed {
            socket.shutdownWrite()
            if lingerDeadline == 0 { lingerDeadline = Self.now() + configuration.timeouts.lingeringClose.nanoseconds }
            if peerClosedInput { close() }
        }
        // A pipelined request may have waited for the outbound queue to shrink.
        if case .head = input, exchange == nil { process() }
        updateReadInterest()
    }

    private func resumeDrainWaiters() {
        guard !drainWaiters.isEmpty else { return }
        let waiters = drainWaiters
        drainWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// The one way into `.lingering`: no further request is read on this connection.
    private func dropFurtherInput() {
        input = .lingering
        inbound.clear()
    }

    /// No further request, and the answer so far is final: send what is queued, then linger.
    private func beginLingeringClose() {
        dropFurtherInput()
        if peerClosedInput && outbound.isEmpty {
            close()
            return
        }
        if outbound.isEmpty { afterDrain() } else { flush() }
        updateReadInterest()
    }

    /// A request that cannot be parsed: answer it and close, since the byte stream can no longer
    /// be trusted to contain request boundaries.
    private func respondToProtocolError(_ error: any Error) {
        let httpError = (error as? HTTPError) ?? HTTPError(.badRequest, detail: "malformed request")
        let requestID = RequestID.generate()
        var extra = configuration.defaultResponseHeaders
        extra.add(configuration.requestIDHeader, requestID)
        let bytes = ResponseSerializer.closingErrorResponse(httpError, extraHeaders: extra)
        outbound.append(bytes)
        core.logAccess(
            method: "-", path: "-", status: httpError.status.code, bytes: bytes.count,
            startedAt: headStartedAt ?? Self.now(), requestID: requestID, remote: peerHost,
            detail: httpError.detail)
        beginLingeringClose()
    }

    // MARK: - Read interest

    private func updateReadInterest() {
        guard !closed, let readSource else { return }
        let wanted: Bool
        switch input {
        case .lingering, .discarding: wanted = true
        case .body: wanted = !bodyProgress.isPaused
        case .head:
            wanted = exchange == nil
                ? outbound.pendingBytes < configuration.outboundHighWaterMark && !draining
                : inbound.readableCount < configuration.limits.maxHeaderBytes
        }
        let reading = wanted && !peerClosedInput
        if reading && readSuspended {
            readSuspended = false
            readSource.resume()
        } else if !reading && !readSuspended {
            readSuspended = true
            readSource.suspend()
        }
    }

    // MARK: - Timeouts

    private func onTick() {
        guard !closed else { return }
        let now = Self.now()
        let timeouts = configuration.timeouts
        if !outbound.isEmpty, lastWriteProgress > 0, now - lastWriteProgress > timeouts.write.nanoseconds {
            core.logger.debug("closing \(remoteAddress): response write made no progress for \(timeouts.write)")
            close()
            return
        }
        switch input {
        case .lingering:
            if lingerDeadline > 0 && now > lingerDeadline { close() }
        case .head where exchange == nil:
            if let headStartedAt, inbound.readableCount > 0 || servedRequests == 0 {
                if now - headStartedAt > timeouts.header.nanoseconds {
                    respondToProtocolError(HTTPError(.requestTimeout, detail: "the request head was not received within \(timeouts.header)"))
                }
            } else if inbound.readableCount == 0 && outbound.isEmpty {
                let limit = servedRequests == 0 ? timeouts.header : timeouts.keepAlive
                if now - idleSince > limit.nanoseconds { close() }
            }
        case .body(_, let channel):
            checkBodyTimeouts(now: now, channel: channel)
        case .discarding:
            if bodyProgress.isIdle(at: now, longerThan: timeouts.bodyIdle) { close() }
        default:
            break
        }
    }

    private func checkBodyTimeouts(now: UInt64, channel: BodyChannel) {
        guard let failure = bodyProgress.check(at: now, timeouts: configuration.timeouts) else { return }
        channel.fail(failure)
        exchange?.keepAlive = false
        exchange?.bodyComplete = true
        dropFurtherInput()
        if exchange == nil { close() }
    }
}

extension HTTPConnection: BodyChannelDelegate {
    func bodyConsumerWantsMore() {
        queue.async { [self] in
            guard !closed, var exchange = self.exchange else { return }
            if exchange.expectsContinue && !exchange.continueSent && !exchange.headSent {
                exchange.continueSent = true
                self.exchange = exchange
                outbound.append(ResponseSerializer.continueResponse)
                flush()
            }
            bodyProgress.restart(at: Self.now())
            process()
            updateReadInterest()
        }
    }
}

extension HTTPConnection: HTTPBodySink {
    func writeBodyChunk(_ bytes: [UInt8]) async throws {
        // Resumes at once unless the client is slow enough for the outbound buffer to fill.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async { [self] in
                if !queueBodyChunk(bytes) {
                    continuation.resume(throwing: HTTPConnectionError.closed)
                } else if closed {
                    continuation.resume(throwing: HTTPConnectionError.closed)
                } else if outbound.pendingBytes >= configuration.outboundHighWaterMark {
                    drainWaiters.append(continuation)
                } else {
                    continuation.resume()
                }
            }
        }
    }

    /// Frames and queues one chunk of a streamed body, then flushes. False when closed.
    private func queueBodyChunk(_ bytes: [UInt8]) -> Bool {
        guard !closed, let exchange else { return false }
        if exchange.framing == .chunked {
            enqueue(ResponseSerializer.chunkHeader(bytes.count))
            enqueue(bytes)
            enqueue([0x0D, 0x0A])
        } else {
            enqueue(bytes)
        }
        flush()
        return !closed
    }
}

/// Why a streamed response could not continue.
enum HTTPConnectionError: Error {
    case closed
}

extension Duration {
    var nanoseconds: UInt64 { UInt64(max(0, self / .nanoseconds(1))) }
}
