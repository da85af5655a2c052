/// How a request's body is delimited on the wire (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    /// No body (no Content-Length and no Transfer-Encoding).
    case none
    /// Exactly this many bytes.
    case length(Int)
    /// Chunked transfer coding, ended by a zero-size chunk and optional trailer fields.
    case chunked
}
