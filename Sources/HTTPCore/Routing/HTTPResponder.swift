/// Anything that answers requests: a `Router`, or a wrapper adding behaviour around another
/// responder (CORS, authentication). Errors thrown become RFC 9457 problem responses:
/// an `HTTPError` with its own status, anything else as 500 without internal details.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) async throws -> HTTPResponse
}
