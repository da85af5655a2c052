/// Adds CORS to another responder: answers preflight requests itself and marks every answer
/// (errors included — a page must be able to read a 422's problem details) for allowed origins.
public struct CORSResponder<Inner: HTTPResponder>: HTTPResponder {
    public let inner: Inner
    public let policy: CORSPolicy

    public init(_ inner: Inner, policy: CORSPolicy) {
        self.inner = inner
        self.policy = policy
    }

    public func respond(to request: HTTPRequest) async throws -> HTTPResponse {
        guard let origin = request.headers["Origin"] else {
            return try await inner.respond(to: request)
        }
        let allowed = policy.allowOrigin(for: origin)
        if request.method == .options, let requested = request.headers["Access-Control-Request-Method"] {
            return preflight(origin: origin, allowOrigin: allowed, requestedMethod: requested, request: request)
        }
        var response: HTTPResponse
        do {
            response = try await inner.respond(to: request)
        } catch let error as HTTPError {
            response = error.response(instance: request.path)
        }
        decorate(&response, allowOrigin: allowed)
        return response
    }

    private func preflight(origin: String, allowOrigin: String?, requestedMethod: String, request: HTTPRequest) -> HTTPResponse {
        var response = HTTPResponse(status: .noContent)
        response.headers.add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
        // A refused preflight is an ordinary 204 without the allow headers: the browser blocks
        // the call, and nothing here tells a stranger which origins are allowed.
        guard let allowOrigin, policy.allowedMethods.contains(HTTPMethod(rawValue: requestedMethod)) else {
            return response
        }
        let requestedHeaders = (request.headers["Access-Control-Request-Headers"] ?? "")
            .split(separator: ",").map { String(trimmingWhitespace($0)) }.filter { !$0.isEmpty }
        let permitted = requestedHeaders.filter { name in
            policy.allowedHeaders.contains { HTTPHeaders.equalsIgnoringCase($0, name) }
        }
        response.headers.add("Access-Control-Allow-Origin", allowOrigin)
        response.headers.add("Access-Control-Allow-Methods", policy.allowedMethods.map(\.rawValue).joined(separator: ", "))
        if !permitted.isEmpty {
            response.headers.add("Access-Control-Allow-Headers", permitted.joined(separator: ", "))
        }
        response.headers.add("Access-Control-Max-Age", String(policy.maxAgeSeconds))
        return response
    }

    private func decorate(_ response: inout HTTPResponse, allowOrigin: String?) {
        if case .list = policy.origins { response.headers.add("Vary", "Origin") }
        guard let allowOrigin else { return }
        response.headers.set("Access-Control-Allow-Origin", allowOrigin)
        if !policy.exposedHeaders.isEmpty {
            response.headers.set("Access-Control-Expose-Headers", policy.exposedHeaders.joined(separator: ", "))
        }
    }
}
