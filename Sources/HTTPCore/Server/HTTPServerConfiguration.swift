/// Everything an operator can tune about the HTTP server. Defaults suit a service behind a
/// reverse proxy that handles uploads of tens of megabytes.
public struct HTTPServerConfiguration: Sendable {
    /// Address to listen on: an IPv4 or IPv6 literal or a name; `::` listens dual-stack.
    public var host: String = "127.0.0.1"
    /// Port; 0 lets the kernel choose (tests read it back from `HTTPServer.localAddresses`).
    public var port: UInt16 = 8080
    public var backlog: Int32 = 1024
    /// Open connections beyond this are answered 503 and closed at once.
    public var maxConnections: Int = 1024
    public var limits = HTTPLimits()
    public var timeouts = Timeouts()
    /// Request body bytes buffered ahead of the handler before the socket stops being read.
    public var bodyBufferBytes: Int = 256 * 1024
    /// Response bytes queued on a connection before a streaming writer is made to wait.
    public var outboundHighWaterMark: Int = 1024 * 1024
    /// A body the handler did not read is drained (to keep the connection) up to this size;
    /// larger leftovers close the connection instead.
    public var maxDiscardBytes: Int = 1024 * 1024
    /// The header carrying request IDs in and out.
    public var requestIDHeader: String = "X-Request-Id"
    /// Value of the `Server` response header; nil sends none.
    public var serverName: String? = nil
    /// Headers added to every response unless the handler set them (e.g. security headers).
    public var defaultResponseHeaders = HTTPHeaders()
    /// Peers (reverse proxies) whose `X-Forwarded-For` / `Forwarded` headers are believed when
    /// working out `HTTPRequest.clientAddress` and the access log's `remote`; empty trusts none,
    /// so a direct client cannot choose the address it is logged under.
    public var trustedProxies: [IPNetwork] = []

    public struct Timeouts: Sendable, Equatable {
        /// From the first byte of a request (or from accept) to its complete head.
        public var header: Duration = .seconds(10)
        /// Idle time between requests on a persistent connection.
        public var keepAlive: Duration = .seconds(75)
        /// Longest wait for the next body byte while the handler is ready for it.
        public var bodyIdle: Duration = .seconds(30)
        /// Slowest average body upload accepted, measured over `minimumRateWindow`.
        public var minimumBodyBytesPerSecond: Int = 1024
        public var minimumRateWindow: Duration = .seconds(20)
        /// Longest time a response may make no progress towards the client.
        public var write: Duration = .seconds(30)
        /// After a final `Connection: close` response, how long unread input is drained before
        /// the socket closes (so a RST cannot destroy the response in flight).
        public var lingeringClose: Duration = .seconds(2)

        public init() {}
    }

    public init() {}
}
