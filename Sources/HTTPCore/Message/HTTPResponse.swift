/// A response a handler returns: status, headers and a body that is either in memory or streamed.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case empty
        /// Sent with `Content-Length`.
        case bytes([UInt8])
        /// Produced while it is sent: with `Content-Length` when `length` is known, else chunked
        /// (or close-delimited for an HTTP/1.0 client). The writer applies back-pressure.
        case stream(length: Int?, @Sendable (HTTPBodyWriter) async throws -> Void)

        /// The content length when it is known before sending.
        public var knownLength: Int? {
            switch self {
            case .empty: 0
            case .bytes(let bytes): bytes.count
            case .stream(let length, _): length
            }
        }
    }

    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A UTF-8 text response.
    public static func text(_ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: .bytes(Array(text.utf8)))
    }

    /// A response with the given bytes and media type.
    public static func bytes(_ bytes: [UInt8], contentType: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: .bytes(bytes))
    }
}
