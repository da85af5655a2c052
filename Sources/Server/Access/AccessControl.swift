import HTTPCore

/// Who may use the service's work routes when `--api-keys` is given: a listed key, sent as
/// `Authorization: Bearer <key>` (RFC 6750), within its rate limit. The key's name owns the photos
/// it analyses (`PhotoCache`'s owner), so another key's `image_id` is not found.
struct AccessControl: Sendable {
    let keys: APIKeyStore
    let limiter: RateLimiter

    init(keys: APIKeyStore, limiter: RateLimiter = RateLimiter()) {
        self.keys = keys
        self.limiter = limiter
    }

    static let realm = "semadjust"

    /// The name of the caller's key; 401 without a known key, 429 + Retry-After over its limit.
    func admit(_ request: HTTPRequest, at now: ContinuousClock.Instant = .now) throws(HTTPError) -> String {
        guard let secret = Self.bearerToken(request.headers["Authorization"]) else {
            throw HTTPError(
                .unauthorized, detail: "this service needs an API key: send it as 'Authorization: Bearer <key>'",
                headers: ["WWW-Authenticate": "Bearer realm=\"\(Self.realm)\""])
        }
        guard let key = keys.authenticate(secret) else {
            throw HTTPError(
                .unauthorized, detail: "the API key is not known (mistyped, revoked, or for another service)",
                headers: ["WWW-Authenticate": "Bearer realm=\"\(Self.realm)\", error=\"invalid_token\""])
        }
        if let wait = limiter.take(key, at: now) {
            let seconds = max(1, Int((wait / .seconds(1)).rounded(.up)))
            throw HTTPError(
                .tooManyRequests,
                detail: "key '\(key.name)' is over its limit of \(key.rate.perMinute) requests a minute (\(key.rate.burst) at once); try again in \(seconds) s",
                headers: ["Retry-After": String(seconds)])
        }
        return key.name
    }

    /// The credentials of `Bearer <token>`; nil for any other scheme or a malformed token.
    static func bearerToken(_ header: String?) -> Substring? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].drop(while: { $0 == " " })
        // token68 (RFC 9110 §11.2), and no more than a key could be.
        guard !token.isEmpty, token.utf8.count <= 512, token.utf8.allSatisfy(Self.isToken68Byte) else { return nil }
        return token
    }

    private static func isToken68Byte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default:
            false
        }
    }
}
