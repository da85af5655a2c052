/// An error a handler throws (or HTTPCore raises) that maps to one HTTP status and an RFC 9457 body.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    /// What exactly was wrong, for the problem's `detail` member.
    public var detail: String
    /// The problem type URI (`about:blank` when the status says it all).
    public var type: String
    /// Extra response headers, e.g. `Allow` for 405 or `Retry-After` for 503.
    public var headers: HTTPHeaders
    public var extensions: [(key: String, value: ProblemDetails.Value)]

    public init(
        _ status: HTTPStatus,
        detail: String,
        type: String = "about:blank",
        headers: HTTPHeaders = HTTPHeaders(),
        extensions: [(key: String, value: ProblemDetails.Value)] = []
    ) {
        self.status = status
        self.detail = detail
        self.type = type
        self.headers = headers
        self.extensions = extensions
    }

    public var description: String { "\(status): \(detail)" }

    public var problem: ProblemDetails {
        ProblemDetails(status: status, detail: detail, type: type, extensions: extensions)
    }

    /// The error as an `application/problem+json` response.
    public func response(instance: String? = nil) -> HTTPResponse {
        var problem = self.problem
        problem.instance = instance
        var response = HTTPResponse(status: status, headers: headers, body: .bytes(problem.jsonBytes()))
        response.headers.set("Content-Type", ProblemDetails.mediaType)
        return response
    }
}
