public import Sockets

/// A request as a handler sees it: the parsed head plus a streamed body.
public struct HTTPRequest: Sendable {
    public let method: HTTPMethod
    /// The request-target exactly as received (origin, absolute, authority or asterisk form).
    public let target: String
    /// The path, still percent-encoded (`*` for an asterisk-form OPTIONS request).
    public let path: String
    /// The query without its `?`, still percent-encoded.
    public let query: String?
    public let version: HTTPVersion
    public var headers: HTTPHeaders
    public let body: HTTPRequestBody
    /// The peer's address (the proxy's, behind a reverse proxy).
    public let remoteAddress: SocketAddress?
    /// The client's numeric address: the peer's, or behind a trusted proxy the rightmost
    /// untrusted `X-Forwarded-For` / `Forwarded` hop (see `ForwardedClient`). Nil when neither is known.
    public let clientAddress: String?
    /// The request's ID: the client's `X-Request-Id` when it is well-formed, else a fresh one.
    public let id: String
    /// Named path segments captured by the router (`/v1/items/:id`), percent-decoded.
    public var pathParameters: [String: String] = [:]

    public init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: HTTPRequestBody = .empty,
        remoteAddress: SocketAddress? = nil,
        clientAddress: String? = nil,
        id: String = RequestID.generate()
    ) {
        self.method = method
        self.target = target
        let (path, query) = RequestTarget.split(target)
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.clientAddress = clientAddress ?? remoteAddress?.host
        self.id = id
    }

    /// Query parameters, percent-decoded (`+` as space, as HTML forms send them), in order.
    public var queryItems: [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(parts[0], plusAsSpace: true) ?? String(parts[0])
            let value = parts.count > 1 ? (PercentDecoding.decode(parts[1], plusAsSpace: true) ?? String(parts[1])) : ""
            return (name: name, value: value)
        }
    }

    /// The first query parameter called `name`.
    public func queryItem(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
