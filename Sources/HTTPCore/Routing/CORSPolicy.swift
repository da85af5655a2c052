/// Which cross-origin callers a browser may let read responses (the Fetch standard's CORS).
public struct CORSPolicy: Sendable, Equatable {
    public enum Origins: Sendable, Equatable {
        /// Any origin (`*`); credentials are then never allowed, as the standard requires.
        case any
        /// Exactly these origins (scheme://host[:port]), compared case-insensitively.
        case list([String])
    }

    public var origins: Origins
    public var allowedMethods: [HTTPMethod] = [.get, .head, .post, .options]
    /// Request headers a page may send beyond the CORS-safelisted ones.
    public var allowedHeaders: [String] = ["Content-Type", "Accept", "X-Request-Id"]
    /// Response headers a page may read beyond the safelisted ones.
    public var exposedHeaders: [String] = ["X-Request-Id", "Server-Timing", "Retry-After"]
    /// How long a browser may cache a preflight answer.
    public var maxAgeSeconds: Int = 600

    public init(origins: Origins) { self.origins = origins }

    /// The `Access-Control-Allow-Origin` value for `origin`, or nil when it is not allowed.
    func allowOrigin(for origin: String) -> String? {
        switch origins {
        case .any: return "*"
        case .list(let list):
            return list.contains(where: { HTTPHeaders.equalsIgnoringCase($0, origin) }) ? origin : nil
        }
    }
}
