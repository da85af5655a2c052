/// Why a multipart/form-data body (or the Content-Type that announces it) was refused.
///
/// `description` is written for the client: it becomes the `detail` of an RFC 9457 problem, so it
/// says exactly what was wrong and where (parts and header lines are numbered from 1). Use
/// `isSizeLimit` to choose the status: 413 Content Too Large for a limit, 400 for the rest.
public enum MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    // MARK: The Content-Type header

    /// The media type is not multipart/form-data (carries the media type as sent, parameters dropped).
    case notMultipartFormData(mediaType: String)
    /// multipart/form-data without a `boundary` parameter.
    case missingBoundary
    /// The boundary parameter is present but is not 1–70 RFC 2046 `bchars`.
    case invalidBoundary(reason: String)
    /// The Content-Type value does not follow `type/subtype *(; parameter)`.
    case malformedContentType(reason: String)

    // MARK: Framing

    /// The body ended (finish()) after the first delimiter but before the close delimiter.
    case truncated
    /// The body ended without ever containing the first delimiter: usually a body built with a
    /// different boundary than its Content-Type announces.
    case boundaryNotFound(boundary: String)
    /// A delimiter was followed by something other than `--`, transport padding or CRLF.
    /// `part` is the number of the part the delimiter would have opened.
    case malformedDelimiter(part: Int, byte: UInt8)

    // MARK: Part heads

    /// A header line ended with LF alone; multipart heads need CRLF.
    case bareLineFeed(part: Int, line: Int)
    /// A CR inside a header line that is not followed by LF.
    case bareCarriageReturn(part: Int, line: Int)
    /// A header line starting with whitespace (obsolete line folding).
    case obsoleteLineFolding(part: Int, line: Int)
    /// A header line without a colon.
    case missingColon(part: Int, line: Int)
    /// An empty header name, or one with characters outside `tchar` (whitespace before the colon included).
    case invalidHeaderName(part: Int, line: Int)
    /// A control character (NUL included) or DEL in a header value.
    case invalidHeaderCharacter(part: Int, line: Int, byte: UInt8)
    /// A header that must occur at most once (Content-Disposition, Content-Type) occurred again.
    case duplicateHeader(part: Int, name: String)
    /// A form-data part without a Content-Disposition header (RFC 7578 §4.2).
    case missingContentDisposition(part: Int)
    /// A Content-Disposition whose type is not `form-data` in a multipart/form-data body.
    case notFormDataDisposition(part: Int, type: String)
    /// A form-data part whose Content-Disposition has no `name` parameter (RFC 7578 §4.2).
    case missingName(part: Int)
    /// The Content-Disposition parameters could not be parsed.
    case malformedContentDisposition(part: Int, reason: String)

    // MARK: Limits (413)

    /// More parts than `MultipartLimits.maxParts`.
    case tooManyParts(limit: Int)
    /// A part's head exceeded `MultipartLimits.maxPartHeaderBytes`.
    case partHeadTooLarge(part: Int, limit: Int)
    /// A part's body exceeded `MultipartLimits.maxPartBytes`. `name` is the field name when known.
    case partTooLarge(part: Int, name: String?, limit: Int)
    /// The whole body exceeded `MultipartLimits.maxTotalBytes`.
    case bodyTooLarge(limit: Int)

    /// Whether a limit was exceeded (answer 413 Content Too Large) rather than the body being
    /// malformed (answer 400 Bad Request).
    public var isSizeLimit: Bool {
        switch self {
        case .tooManyParts, .partHeadTooLarge, .partTooLarge, .bodyTooLarge: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .notMultipartFormData(let mediaType):
            "the Content-Type is \"\(mediaType)\", expected multipart/form-data"
        case .missingBoundary:
            "the multipart/form-data Content-Type has no boundary parameter"
        case .invalidBoundary(let reason):
            "invalid multipart boundary: \(reason)"
        case .malformedContentType(let reason):
            "malformed Content-Type: \(reason)"
        case .truncated:
            "multipart body ended before the closing boundary"
        case .boundaryNotFound(let boundary):
            "multipart body ended before the closing boundary: it never contains the delimiter \"--\(boundary)\" announced by its Content-Type"
        case .malformedDelimiter(let part, let byte):
            "byte \(Self.hex(byte)) follows the boundary delimiter before part \(part); expected CRLF, transport padding or \"--\""
        case .bareLineFeed(let part, let line):
            "part \(part), header line \(line): line ends with a bare LF; multipart header lines must end with CRLF"
        case .bareCarriageReturn(let part, let line):
            "part \(part), header line \(line): CR not followed by LF"
        case .obsoleteLineFolding(let part, let line):
            "part \(part), header line \(line): starts with whitespace (obsolete line folding is not accepted)"
        case .missingColon(let part, let line):
            "part \(part), header line \(line): no colon between header name and value"
        case .invalidHeaderName(let part, let line):
            "part \(part), header line \(line): the header name is empty or contains characters not allowed in a token"
        case .invalidHeaderCharacter(let part, let line, let byte):
            "part \(part), header line \(line): \(byte == 0 ? "NUL byte" : "control byte \(Self.hex(byte))") in the header value"
        case .duplicateHeader(let part, let name):
            "part \(part): more than one \(name) header"
        case .missingContentDisposition(let part):
            "part \(part) has no Content-Disposition header; every multipart/form-data part needs one"
        case .notFormDataDisposition(let part, let type):
            "part \(part): Content-Disposition type is \"\(type)\", expected form-data"
        case .missingName(let part):
            "part \(part): Content-Disposition has no name parameter; every multipart/form-data part needs one"
        case .malformedContentDisposition(let part, let reason):
            "part \(part): malformed Content-Disposition: \(reason)"
        case .tooManyParts(let limit):
            "multipart body has more than \(limit) parts"
        case .partHeadTooLarge(let part, let limit):
            "part \(part): header section exceeds \(limit) bytes"
        case .partTooLarge(let part, let name, let limit):
            if let name {
                "part \(part) (\"\(name)\") exceeds \(limit) bytes"
            } else {
                "part \(part) exceeds \(limit) bytes"
            }
        case .bodyTooLarge(let limit):
            "multipart body exceeds \(limit) bytes"
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return "0x" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
    }
}
