import Foundation
import HTTPCore

/// One file of the browser page, compiled into the binary: its bytes, media type and an entity
/// tag computed once, so a revalidating browser gets a bodiless 304 instead of the file again.
struct WebAsset: Sendable {
    let contentType: String
    let bytes: [UInt8]
    /// A strong validator: the FNV-1a hash of the bytes, quoted as RFC 9110 §8.8.3 requires.
    let etag: String

    init(_ text: String, contentType: String) {
        self.contentType = contentType
        bytes = Array(text.utf8)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        etag = "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// The file, or 304 when `If-None-Match` already names this version.
    func response(to request: HTTPRequest, headers: HTTPHeaders) -> HTTPResponse {
        var response = matches(request.headers["If-None-Match"])
            ? HTTPResponse(status: .notModified)
            : .bytes(bytes, contentType: contentType)
        for field in headers { response.headers.add(field.name, field.value) }
        response.headers.add("ETag", etag)
        return response
    }

    /// Weak comparison (RFC 9110 §13.1.2): a `W/` prefix from an intermediary still matches.
    private func matches(_ ifNoneMatch: String?) -> Bool {
        guard let ifNoneMatch else { return false }
        for candidate in ifNoneMatch.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag == etag { return true }
        }
        return false
    }
}
