import Crypto

/// One client's key as the service knows it: a name for logs and photo ownership, the SHA-256 of
/// the secret (the secret itself is never stored), and its rate limit.
struct APIKey: Sendable, Equatable {
    let name: String
    /// SHA-256 of the key's text (UTF-8).
    let digest: [UInt8]
    let rate: RateLimit

    /// The digest the key file holds for `secret`.
    static func digest(of secret: some StringProtocol) -> [UInt8] {
        Array(SHA256.hash(data: Array(secret.utf8)))
    }

    /// A new secret: 32 random bytes from the system's generator, base64url, after a prefix that
    /// makes a leaked key recognisable to secret scanners.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "sak_" + Base64URL.encode(bytes)
    }
}

/// Requests a key may make: `perMinute` on average, `burst` at once.
struct RateLimit: Sendable, Equatable {
    var perMinute: Int
    var burst: Int
}

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5), for key secrets.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            let remaining = bytes.count - i
            let kept = remaining >= 3 ? 4 : remaining + 1  // 2 or 3 characters for a last 1 or 2 bytes
            for j in 0..<kept { out.append(alphabet[Int((triple >> (18 - 6 * UInt32(j))) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
