import Dispatch
public import Logging
public import Sockets
import Locks
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server on non-blocking POSIX sockets driven by Dispatch sources.
///
/// Threads: one serial queue accepts; each connection has its own serial queue (all targeting
/// the global concurrent pool), so parsing and writing for different clients run in parallel
/// while each connection's state stays single-threaded. Handlers run as Swift tasks.
///
/// ```swift
/// var router = Router()
/// router.get("/hello") { _ in .text("hello") }
/// let server = HTTPServer(configuration: config, responder: router)
/// try await server.run()   // until SIGTERM/SIGINT, then graceful shutdown
/// ```
public final class HTTPServer: Sendable {
    private let core: HTTPServerCore
    private let acceptQueue = DispatchQueue(label: "httpcore.accept")
    private let connectionTarget = DispatchQueue.global(qos: .userInitiated)

    private struct Listener: @unchecked Sendable {
        // A DispatchSource is thread-safe; it is only not declared Sendable.
        let socket: Socket
        let address: SocketAddress
        let source: any DispatchSourceRead
    }

    private struct State {
        var listeners: [Listener] = []
        var acceptPaused = false
        var stopping = false
        var stopped = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var acceptFailureLog = LogThrottle(interval: .seconds(10))
    }

    private let state = LockedValue(State())

    public init(configuration: HTTPServerConfiguration, responder: some HTTPResponder, logger: Logger = Logger(label: "semadjust.http")) {
        core = HTTPServerCore(configuration: configuration, responder: responder, logger: logger)
    }

    public var configuration: HTTPServerConfiguration { core.configuration }

    /// The addresses actually listened on (with the real port when the configuration said 0).
    public var localAddresses: [SocketAddress] {
        state.withLock { $0.listeners.map(\.address) }
    }

    /// Open connections right now.
    public var connectionCount: Int { core.connectionCount }

    /// Binds and starts accepting. A name that resolves to several addresses (`localhost`) gets a
    /// listener on each; with port 0 only the first is used, so that there is one port to report.
    public func start() throws(SocketError) {
        let configuration = core.configuration
        var addresses = try SocketAddress.resolve(host: configuration.host, port: configuration.port)
        if configuration.port == 0 { addresses = Array(addresses.prefix(1)) }
        var listeners: [Listener] = []
        var firstError: SocketError?
        for address in addresses {
            do {
                let socket = try Socket.listening(on: address, backlog: configuration.backlog)
                let bound = (try? socket.localAddress()) ?? address
                let source = DispatchSource.makeReadSource(fileDescriptor: socket.fileDescriptor, queue: acceptQueue)
                listeners.append(Listener(socket: socket, address: bound, source: source))
            } catch {
                firstError = firstError ?? error
            }
        }
        guard !listeners.isEmpty else {
            throw firstError ?? SocketError(.bind, errno: EADDRNOTAVAIL, context: configuration.host)
        }
        for listener in listeners {
            listener.source.setEventHandler { [self] in acceptPending(on: listener.socket) }
            listener.source.setCancelHandler { listener.socket.close() }
        }
        state.withLock { $0.listeners = listeners }
        core.setSlotFreedHandler { [weak self] in self?.resumeAcceptingIfPaused() }
        for listener in listeners {
            listener.source.resume()
            core.logger.info("listening on http://\(listener.address)")
        }
    }

    /// Starts, waits for SIGTERM or SIGINT, then shuts down gracefully. `whenDraining` runs as the
    /// shutdown begins, before the grace period: where the application drops work that has not
    /// started (it could not be sure to finish in time) so that its requests are answered at once.
    public func run(gracePeriod: Duration = .seconds(25), signals: [Int32]? = nil,
                    whenDraining: (@Sendable () -> Void)? = nil) async throws {
        let watcher = SignalWatcher(signals: signals ?? [SIGTERM, SIGINT])
        try start()
        let signal = await watcher.next()
        core.logger.info("received signal \(signal); shutting down gracefully (grace period \(gracePeriod))")
        whenDraining?()
        await shutdown(gracePeriod: gracePeriod)
    }

    /// Stops accepting, lets requests in flight finish for up to `gracePeriod`, then closes what
    /// is left. Idle keep-alive connections close at once. Safe to call more than once.
    public func shutdown(gracePeriod: Duration = .seconds(25)) async {
        let listeners = state.withLock { s -> [Listener]? in
            guard !s.stopping else { return nil }
            s.stopping = true
            defer { s.listeners.removeAll() }
            return s.listeners
        }
        guard let listeners else {
            await waitUntilStopped()
            return
        }
        for listener in listeners {
            listener.source.cancel()
            if state.withLock({ $0.acceptPaused }) { listener.source.resume() }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumed = LockedValue(false)
            let finish: @Sendable () -> Void = {
                let first = resumed.withLock { done -> Bool in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume() }
            }
            _ = core.beginDraining(whenEmpty: finish)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(gracePeriod.nanoseconds))) { [core] in
                let left = core.openConnections()
                if left.isEmpty { return finish() }
                core.logger.warning("grace period over; closing \(left.count) connection(s) still busy")
                for connection in left { connection.forceClose() }
            }
        }
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.stopped = true
            defer { s.stopWaiters.removeAll() }
            return s.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
        core.logger.info("server stopped")
    }

    /// Returns once `shutdown` has completed.
    public func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = state.withLock { s -> Bool in
                if !s.stopped { s.stopWaiters.append(continuation) }
                return s.stopped
            }
            if stopped { continuation.resume() }
        }
    }

    // MARK: - Accepting

    private func acceptPending(on listener: Socket) {
        // Bounded so that one busy listener cannot starve the accept queue's other work.
        for _ in 0..<64 {
            let accepted: (Socket, SocketAddress)?
            do {
                accepted = try listener.accept()
            } catch {
                let suppressed = state.withLock { $0.acceptFailureLog.admit(at: .now) }
                let held = suppressed.map { $0 > 0 ? " (\($0) more since the last such line)" : "" }
                switch error.errno {
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: the pending connection stays in the backlog.
                    // Pause accepting briefly instead of spinning on a listener that stays readable.
                    if let held { core.logger.warning("accept failed (\(error)); pausing accepts for 100 ms\(held)") }
                    pauseAccepting(for: .milliseconds(100))
                default:
                    if let held { core.logger.error("accept failed: \(error)\(held)") }
                }
                return
            }
            guard let (socket, address) = accepted else { return }
            let queue = DispatchQueue(label: "httpcore.connection", target: connectionTarget)
            let connection = HTTPConnection(socket: socket, remoteAddress: address, core: core, queue: queue)
            if core.register(connection) {
                connection.start()
            } else {
                refuse(socket)
            }
        }
    }

    /// Over the connection limit: a short 503 rather than a silent stall in the backlog.
    private func refuse(_ socket: Socket) {
        let problem = HTTPError(
            .serviceUnavailable, detail: "the server is at its connection limit; retry shortly",
            headers: ["Retry-After": "1"])
        let bytes = ResponseSerializer.closingErrorResponse(problem, extraHeaders: HTTPHeaders())
        _ = try? bytes.withUnsafeBytes { raw throws(SocketError) in try socket.write(raw) }
        socket.shutdownWrite()
        socket.close()
    }

    private func pauseAccepting(for delay: DispatchTimeInterval) {
        let listeners = state.withLock { s -> [Listener] in
            guard !s.acceptPaused, !s.stopping else { return [] }
            s.acceptPaused = true
            return s.listeners
        }
        for listener in listeners { listener.source.suspend() }
        acceptQueue.asyncAfter(deadline: .now() + delay) { [self] in resumeAcceptingIfPaused() }
    }

    private func resumeAcceptingIfPaused() {
        let listeners = state.withLock { s -> [Listener] in
            guard s.acceptPaused, !s.stopping else { return [] }
            s.acceptPaused = false
            return s.listeners
        }
        for listener in listeners { listener.source.resume() }
    }
}
