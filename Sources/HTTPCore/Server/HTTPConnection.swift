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

    /// The connection's states and timeouts; this class performs its actions.
    private var machine: ConnectionStateMachine

    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var timer: (any DispatchSourceTimer)?
    private var readSuspended = true
    private var writeArmed = false
    private var pendingCancellations = 0

    private let inbound: InboundBuffer
    private var scanner = HeadScanner()
    private var exchange: Exchange?
    /// The channel of the body being received for the handler (the machine's `.body` input).
    private var bodyChannel: BodyChannel?
    private var outbound = OutboundQueue()
    private var drainWaiters: [CheckedContinuation<Void, any Error>] = []

    /// The request being answered: what its handler and the access log need (the machine keeps
    /// its keep-alive bookkeeping).
    private struct Exchange {
        let method: HTTPMethod
        let path: String
        let version: HTTPVersion
        let requestID: String
        /// The address the access log shows: the peer, or the client behind a trusted proxy.
        let clientAddress: String
        let startedAt: UInt64
        var task: Task<Void, Never>?
        var channel: BodyChannel?
        var status = 0
        var bytesSent = 0
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
        self.machine = ConnectionStateMachine(settings: .init(core.configuration), now: Self.now())
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
            perform(machine.beginDraining(inboundBytes: inbound.readableCount, outboundBytes: outbound.pendingBytes))
        }
    }

    /// Shutdown deadline passed: stop whatever is going on.
    func forceClose() {
        queue.async { [self] in perform(machine.close()) }
    }

    private func sourceCancelled() {
        pendingCancellations -= 1
        if pendingCancellations == 0 {
            // Dispatch requires every source on a descriptor to be cancelled before it is closed.
            socket.close()
            core.connectionClosed(self)
        }
    }

    /// Performs the machine's actions, in order.
    private func perform(_ actions: [ConnectionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .failBody(let error):
                bodyChannel?.fail(error)
                bodyChannel = nil
            case .cancelHandler:
                exchange?.task?.cancel()
            case .abandonBody:
                bodyChannel?.abandon()
                bodyChannel = nil
            case .sendContinue:
                outbound.append(ResponseSerializer.continueResponse)
                flush()
            case .respondWithError(let error):
                queueClosingErrorResponse(error)
            case .dropBufferedInput:
                inbound.clear()
            case .flush:
                flush()
            case .shutdownWrite:
                socket.shutdownWrite()
            case .processInput:
                process()
            case .close(let reason):
                if let reason { core.logger.debug("closing \(remoteAddress): \(reason)") }
                tearDown()
            }
        }
        updateReadInterest()
    }

    /// The machine has closed: stop the sources, fail whoever still waits on this connection.
    private func tearDown() {
        timer?.cancel()
        exchange?.task?.cancel()
        exchange?.channel?.fail(HTTPError(.badRequest, detail: "the connection was closed"))
        bodyChannel?.fail(HTTPError(.badRequest, detail: "the connection was closed before the body was complete"))
        bodyChannel = nil
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
        guard !machine.isClosed else { return }
        let space = inbound.writableSpace(minimum: 16 * 1024)
        guard !space.isEmpty else {
            updateReadInterest()
            return
        }
        let result: Socket.IOResult
        do {
            result = try socket.read(into: space)
        } catch {
            perform(machine.close())
            return
        }
        switch result {
        case .bytes(let n):
            inbound.commit(n)
            machine.bytesReceived(at: Self.now())
            process()
        case .wouldBlock:
            return
        case .endOfFile:
            perform(machine.inputEnded())
        }
        updateReadInterest()
    }

    /// Parses and dispatches whatever complete input is buffered.
    private func process() {
        while true {
            switch machine.nextInputStep(inboundBytes: inbound.readableCount, outboundBytes: outbound.pendingBytes) {
            case .wait:
                return
            case .parseHead:
                do {
                    guard let range = try scanner.scan(inbound.readable, limits: configuration.limits) else { return }
                    let head = try HTTPRequestHeadParser.parse(
                        UnsafeRawBufferPointer(rebasing: inbound.readable[range]), limits: configuration.limits)
                    inbound.consume(range.upperBound)
                    scanner.reset()
                    startExchange(head)
                } catch {
                    perform(machine.protocolError(error))
                    return
                }
            case .decodeBody:
                var chunk: [UInt8] = []
                switch machine.decodeBody(inbound.readable, at: Self.now(), emit: { chunk.append(contentsOf: $0) }) {
                case .failed(let actions):
                    perform(actions)
                    return
                case .decoded(let consumed, let complete, let trailers):
                    inbound.consume(consumed)
                    let keepReading = chunk.isEmpty || bodyChannel?.push(chunk) != false
                    if complete {
                        bodyChannel?.finish(trailers: trailers)
                        bodyChannel = nil
                    }
                    if !keepReading {
                        machine.consumerPaused()
                        updateReadInterest()
                        return
                    }
                }
            case .discardBody:
                let (consumed, actions) = machine.discardBody(inbound.readable, at: Self.now())
                inbound.consume(consumed)
                if !actions.isEmpty {
                    perform(actions)
                    return
                }
            case .dropInput:
                inbound.clear()
                return
            }
        }
    }

    private func startExchange(_ head: HTTPRequestHead) {
        let requestID = head.headers[configuration.requestIDHeader].flatMap { RequestID.isAcceptable($0) ? $0 : nil }
            ?? RequestID.generate()
        let state = machine.requestStarted(
            framing: head.framing, keepAlive: head.keepAlive, expectsContinue: head.expectsContinue, at: Self.now())
        let body: HTTPRequestBody
        if head.framing == .none {
            body = .empty
        } else {
            // The parser has refused a Content-Length over maxBodyBytes; the decoder counts a chunked one.
            let channel = BodyChannel(highWaterMark: configuration.bodyBufferBytes, delegate: self)
            bodyChannel = channel
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
            requestID: requestID, clientAddress: clientAddress, startedAt: state.startedAt)
        exchange.channel = body.channel
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
        guard var exchange, !machine.isClosed else { return }
        let wireFraming = ResponseSerializer.framing(for: response, version: exchange.version)
        guard let (keepAlive, actions) = machine.responseHeadStarting(
            closeDelimited: wireFraming == .closeDelimited && !exchange.isHead) else { return }
        perform(actions)
        // HEAD gets the header fields GET would (Content-Length when known) and never a body.
        var headerFraming = wireFraming
        if exchange.isHead, case .length = wireFraming {} else if exchange.isHead { headerFraming = .none }
        exchange.framing = exchange.isHead ? .none : wireFraming
        exchange.status = response.status.code
        var extra = configuration.defaultResponseHeaders
        extra.add(configuration.requestIDHeader, exchange.requestID)
        if let name = configuration.serverName { extra.add("Server", name) }
        self.exchange = exchange
        enqueue(ResponseSerializer.head(
            status: response.status, headers: response.headers, framing: headerFraming,
            keepAlive: keepAlive, version: exchange.version, extraHeaders: extra))
    }

    private func finishResponse(complete: Bool) {
        guard let exchange, !machine.isClosed else { return }
        flush()
        core.logAccess(
            method: exchange.method.rawValue, path: exchange.path, status: exchange.status,
            bytes: exchange.bytesSent, startedAt: exchange.startedAt, requestID: exchange.requestID,
            remote: exchange.clientAddress)
        self.exchange = nil
        perform(machine.responseFinished(complete: complete, inboundBytes: inbound.readableCount, at: Self.now()))
    }

    private func enqueue(_ bytes: [UInt8]) {
        guard !machine.isClosed else { return }
        exchange?.bytesSent += bytes.count
        outbound.append(bytes)
    }

    /// Sends what the socket takes; arms the write source for the rest.
    private func flush() {
        guard !machine.isClosed else { return }
        do {
            let (done, sent) = try outbound.flush(to: socket)
            machine.wrote(sent, done: done, at: Self.now())
            if done {
                if writeArmed {
                    writeSource?.suspend()
                    writeArmed = false
                }
                perform(machine.outboundDrained(at: Self.now()))
            } else if !writeArmed {
                writeArmed = true
                writeSource?.resume()
            }
            if outbound.pendingBytes < configuration.outboundHighWaterMark { resumeDrainWaiters() }
        } catch {
            perform(machine.close())
        }
    }

    private func resumeDrainWaiters() {
        guard !drainWaiters.isEmpty else { return }
        let waiters = drainWaiters
        drainWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// A closing error response for a request that could not be read, logged like any answer.
    private func queueClosingErrorResponse(_ error: HTTPError) {
        let requestID = RequestID.generate()
        var extra = configuration.defaultResponseHeaders
        extra.add(configuration.requestIDHeader, requestID)
        let bytes = ResponseSerializer.closingErrorResponse(error, extraHeaders: extra)
        outbound.append(bytes)
        core.logAccess(
            method: "-", path: "-", status: error.status.code, bytes: bytes.count,
            startedAt: machine.headStartedAt ?? Self.now(), requestID: requestID, remote: peerHost,
            detail: error.detail)
    }

    // MARK: - Read interest

    private func updateReadInterest() {
        guard !machine.isClosed, let readSource else { return }
        let reading = machine.wantsToRead(inboundBytes: inbound.readableCount, outboundBytes: outbound.pendingBytes)
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
        perform(machine.tick(at: Self.now(), inboundBytes: inbound.readableCount, outboundBytes: outbound.pendingBytes))
    }
}

extension HTTPConnection: BodyChannelDelegate {
    func bodyConsumerWantsMore() {
        queue.async { [self] in
            perform(machine.consumerWantsMore(at: Self.now()))
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
                } else if machine.isClosed {
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
        guard !machine.isClosed, let exchange else { return false }
        if exchange.framing == .chunked {
            enqueue(ResponseSerializer.chunkHeader(bytes.count))
            enqueue(bytes)
            enqueue([0x0D, 0x0A])
        } else {
            enqueue(bytes)
        }
        flush()
        return !machine.isClosed
    }
}

/// Why a streamed response could not continue.
enum HTTPConnectionError: Error {
    case closed
}

extension Duration {
    var nanoseconds: UInt64 { UInt64(max(0, self / .nanoseconds(1))) }
}
