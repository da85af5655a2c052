/// The parsed and validated head of a request: everything before the body.
struct HTTPRequestHead: Sendable {
    var method: HTTPMethod
    var target: String
    var version: HTTPVersion
    var headers: HTTPHeaders
    var framing: BodyFraming
    /// Whether the client asked for a persistent connection (HTTP/1.1 default, HTTP/1.0 opt-in).
    var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request with a body.
    var expectsContinue: Bool
}
