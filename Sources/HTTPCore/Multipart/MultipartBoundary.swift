/// A validated multipart boundary (RFC 2046 §5.1.1): 1–70 `bchars`, not ending in a space.
///
/// The validation is what lets the parser search for the delimiter cheaply: `bchars` contain no
/// CR, so a delimiter (`CRLF "--" boundary`) can only ever begin at a CR.
public struct MultipartBoundary: Sendable, Hashable, CustomStringConvertible {
    /// The boundary as sent, without the leading `--`.
    public let value: String

    /// Validates a boundary value (as found in the Content-Type's `boundary` parameter).
    public init(_ value: String) throws(MultipartError) {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else { throw .invalidBoundary(reason: "the boundary is empty") }
        guard bytes.count <= 70 else {
            throw .invalidBoundary(reason: "the boundary is \(bytes.count) characters long, at most 70 are allowed")
        }
        for byte in bytes where !Self.isBChar(byte) {
            let shown = byte >= 0x21 && byte < 0x7F ? "\"\(Character(Unicode.Scalar(byte)))\"" : "byte \(byte)"
            throw .invalidBoundary(reason: "\(shown) is not allowed in a boundary (RFC 2046 bchars)")
        }
        guard bytes.last != 0x20 else { throw .invalidBoundary(reason: "the boundary ends with a space") }
        self.value = value
    }

    /// Extracts the boundary from a Content-Type field value such as
    /// `multipart/form-data; charset=utf-8; boundary="----x y"`. The media type and parameter
    /// names are case-insensitive; the boundary may be a token or a quoted string; other
    /// parameters are allowed and ignored.
    public init(contentType: String) throws(MultipartError) {
        let (mediaType, parameters) = try MultipartHeaderValue.parse(contentType) { .malformedContentType(reason: $0) }
        guard !mediaType.isEmpty else { throw .malformedContentType(reason: "the media type is empty") }
        let halves = mediaType.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard halves.count == 2, halves.allSatisfy({ !$0.isEmpty && $0.allSatisfy(MultipartHeaderValue.isToken) }) else {
            throw .malformedContentType(reason: "\"\(mediaType)\" is not a type/subtype media type")
        }
        guard MultipartHeaderValue.equalsIgnoringCase(mediaType, "multipart/form-data") else {
            throw .notMultipartFormData(mediaType: mediaType)
        }
        guard let boundary = try MultipartHeaderValue.single("boundary", in: parameters, failure: { .malformedContentType(reason: $0) }) else {
            throw .missingBoundary
        }
        try self.init(boundary)
    }

    public var description: String { value }

    /// `CRLF "--" boundary`: what ends every part body. The first delimiter of a body may lack the
    /// CRLF; the parser handles that by pretending the body starts after a CRLF.
    var delimiter: [UInt8] { Array("\r\n--".utf8) + Array(value.utf8) }

    /// bchars := DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "." / "/" / ":" / "=" / "?" / " "
    private static func isBChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "+"), UInt8(ascii: "_"),
            UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"),
            UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: " "):
            true
        default:
            false
        }
    }
}
