/// Routes by method and path. Patterns are literal segments, `:name` captures (percent-decoded
/// into `request.pathParameters`) and a final `*` matching any rest of the path.
///
/// It answers what a route table implies: 404 when no pattern matches the path, 405 with
/// `Allow` when one does but not for this method, HEAD through the GET handler, and OPTIONS
/// with `Allow` unless a route claims it.
public struct Router: HTTPResponder {
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    private struct Route: Sendable {
        let method: HTTPMethod
        let segments: [Segment]
        let handler: Handler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        let segments: [Segment] = pattern.split(separator: "/").map { part in
            if part == "*" { return .rest }
            if part.hasPrefix(":") { return .parameter(String(part.dropFirst())) }
            return .literal(String(part))
        }
        precondition(!segments.dropLast().contains(.rest), "'*' may only end a route pattern: \(pattern)")
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { add(.post, pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping Handler) { add(.put, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { add(.delete, pattern, handler) }

    public func respond(to request: HTTPRequest) async throws -> HTTPResponse {
        if request.path == "*" {
            guard request.method == .options else { throw HTTPError(.badRequest, detail: "'*' is only valid for OPTIONS") }
            return HTTPResponse(status: .noContent, headers: ["Allow": allowedMethods(from: routes).joined(separator: ", ")])
        }
        let pathSegments = request.path.split(separator: "/", omittingEmptySubsequences: true)
        var matching: [(Route, [String: String])] = []
        for route in routes {
            if let parameters = try match(route.segments, pathSegments) { matching.append((route, parameters)) }
        }
        guard !matching.isEmpty else {
            throw HTTPError(.notFound, detail: "no resource at \(request.path)")
        }
        let lookup = request.method == .head ? [HTTPMethod.head, .get] : [request.method]
        for method in lookup {
            if let (route, parameters) = matching.first(where: { $0.0.method == method }) {
                var request = request
                request.pathParameters = parameters
                return try await route.handler(request)
            }
        }
        let allow = allowedMethods(from: matching.map(\.0)).joined(separator: ", ")
        if request.method == .options {
            return HTTPResponse(status: .noContent, headers: ["Allow": allow])
        }
        throw HTTPError(
            .methodNotAllowed, detail: "\(request.method) is not allowed on \(request.path); allowed: \(allow)",
            headers: ["Allow": allow])
    }

    private func allowedMethods(from routes: [Route]) -> [String] {
        var methods: [String] = []
        for route in routes where !methods.contains(route.method.rawValue) { methods.append(route.method.rawValue) }
        if methods.contains("GET") && !methods.contains("HEAD") { methods.append("HEAD") }
        if !methods.contains("OPTIONS") { methods.append("OPTIONS") }
        return methods
    }

    private func match(_ pattern: [Segment], _ path: [Substring]) throws(HTTPError) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (index, segment) in pattern.enumerated() {
            switch segment {
            case .rest:
                parameters["*"] = path[min(index, path.count)...].joined(separator: "/")
                return parameters
            case .literal(let literal):
                guard index < path.count, path[index] == literal else { return nil }
            case .parameter(let name):
                guard index < path.count else { return nil }
                guard let decoded = PercentDecoding.decode(path[index]) else {
                    throw HTTPError(.badRequest, detail: "malformed percent-encoding in the path segment '\(path[index])'")
                }
                parameters[name] = decoded
            }
        }
        return pattern.count == path.count ? parameters : nil
    }
}
