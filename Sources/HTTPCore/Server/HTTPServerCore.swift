import Dispatch
import Logging
import Sockets
import Locks

/// What every connection of one server shares: configuration, the responder, the logger and the
/// registry of open connections (for limits and graceful shutdown).
final class HTTPServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let logger: Logger
    /// How often each connection checks its timeouts: fine enough for the shortest timeout.
    let tickInterval: DispatchTimeInterval

    private struct Registry {
        var connections: [ObjectIdentifier: HTTPConnection] = [:]
        var draining = false
        var onEmpty: [@Sendable () -> Void] = []
        var onSlotFreed: (@Sendable () -> Void)?
    }

    private let registry = LockedValue(Registry())

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        let t = configuration.timeouts
        let shortest = [t.header, t.keepAlive, t.bodyIdle, t.write, t.lingeringClose, t.minimumRateWindow].min()!
        let millis = max(20, min(1000, Int(shortest.nanoseconds / 4_000_000)))
        self.tickInterval = .milliseconds(millis)
    }

    var connectionCount: Int { registry.withLock { $0.connections.count } }

    /// Registers a connection unless the server is full or draining.
    func register(_ connection: HTTPConnection) -> Bool {
        registry.withLock { r in
            guard !r.draining, r.connections.count < configuration.maxConnections else { return false }
            r.connections[ObjectIdentifier(connection)] = connection
            return true
        }
    }

    func connectionClosed(_ connection: HTTPConnection) {
        let (callbacks, slotFreed) = registry.withLock { r -> ([@Sendable () -> Void], (@Sendable () -> Void)?) in
            r.connections[ObjectIdentifier(connection)] = nil
            guard r.connections.isEmpty, r.draining else { return ([], r.onSlotFreed) }
            defer { r.onEmpty.removeAll() }
            return (r.onEmpty, r.onSlotFreed)
        }
        slotFreed?()
        for callback in callbacks { callback() }
    }

    func setSlotFreedHandler(_ handler: @escaping @Sendable () -> Void) {
        registry.withLock { $0.onSlotFreed = handler }
    }

    /// Marks the server as draining and tells every connection; `whenEmpty` runs once the last
    /// connection has closed (at once if there are none).
    func beginDraining(whenEmpty: @escaping @Sendable () -> Void) -> [HTTPConnection] {
        let (connections, runNow) = registry.withLock { r -> ([HTTPConnection], Bool) in
            r.draining = true
            if r.connections.isEmpty { return ([], true) }
            r.onEmpty.append(whenEmpty)
            return (Array(r.connections.values), false)
        }
        if runNow { whenEmpty() }
        for connection in connections { connection.beginDraining() }
        return connections
    }

    func openConnections() -> [HTTPConnection] {
        registry.withLock { Array($0.connections.values) }
    }

    /// Runs the responder, turning every thrown error into a problem response.
    func respond(to request: HTTPRequest) async -> HTTPResponse {
        do {
            return try await responder.respond(to: request)
        } catch let error as HTTPError {
            return error.response(instance: request.path)
        } catch is CancellationError {
            return HTTPError(.serviceUnavailable, detail: "the request was cancelled").response(instance: request.path)
        } catch {
            logger.error("handler failed", metadata: ["request_id": "\(request.id)", "error": "\(error)"])
            return HTTPError(.internalServerError, detail: "the server failed to handle the request (request id \(request.id))")
                .response(instance: request.path)
        }
    }

    func logAccess(
        method: String, path: String, status: Int, bytes: Int, startedAt: UInt64,
        requestID: String, remote: String, detail: String? = nil
    ) {
        guard logger.logLevel <= .info else { return }
        let millis = Double(HTTPConnection.now() &- startedAt) / 1e6
        var metadata: Logger.Metadata = [
            "request_id": "\(requestID)",
            "remote": "\(remote)",
            "status": "\(status)",
            "bytes": "\(bytes)",
            "duration_ms": "\((millis * 100).rounded() / 100)",
        ]
        if let detail { metadata["detail"] = "\(detail)" }
        logger.info("\(method) \(path) \(status)", metadata: metadata)
    }
}
