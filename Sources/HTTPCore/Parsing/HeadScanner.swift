#if canImport(Glibc)
import Glibc
#endif

/// Finds where a request head ends in bytes that arrive piecewise, enforcing the line-length and
/// head-size limits before the head is complete — a client cannot make us buffer an endless line.
///
/// The scan is incremental (each byte is looked at once however the head is split across reads)
/// and strict about line endings: every LF must follow a CR. Accepting a bare LF, as some servers
/// do, would let a proxy and this server disagree on where a header ends.
struct HeadScanner {
    /// Where the head starts, after any empty lines that preceded the request line.
    private(set) var headStart = 0
    private var scanned = 0
    private var lineStart = 0
    private var sawRequestLine = false

    /// RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
    static let maxLeadingEmptyLines = 8

    mutating func reset() { self = HeadScanner() }

    /// Returns the head's range (request line through the empty line) once complete, or nil.
    mutating func scan(_ buffer: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPError) -> Range<Int>? {
        guard let base = buffer.baseAddress else { return nil }
        while scanned < buffer.count {
            let remaining = buffer.count - scanned
            guard let found = memchr(base + scanned, 0x0A, remaining) else {
                scanned = buffer.count
                break
            }
            let lf = base.distance(to: UnsafeRawPointer(found))
            scanned = lf + 1
            guard lf >= 1, lf - 1 >= lineStart, buffer[lf - 1] == 0x0D else {
                throw HTTPError(.badRequest, detail: "bare LF in the request head (lines must end with CRLF)")
            }
            let lineLength = lf - 1 - lineStart
            if !sawRequestLine {
                if lineLength == 0 {
                    // An empty line before the request line: skip it, within reason.
                    guard lf + 1 <= 2 * Self.maxLeadingEmptyLines else {
                        throw HTTPError(.badRequest, detail: "too many empty lines before the request line")
                    }
                    lineStart = lf + 1
                    headStart = lineStart
                    continue
                }
                try checkRequestLineLength(lineLength, in: buffer, limits: limits)
                sawRequestLine = true
            } else if lineLength == 0 {
                return headStart..<(lf + 1)
            }
            lineStart = lf + 1
            if lineStart - headStart > limits.maxHeaderBytes {
                throw HTTPError(.requestHeaderFieldsTooLarge, detail: "the request head exceeds \(limits.maxHeaderBytes) bytes")
            }
        }
        // Incomplete: is what we have already over a limit?
        if !sawRequestLine {
            try checkRequestLineLength(buffer.count - lineStart, in: buffer, limits: limits)
        } else if buffer.count - headStart > limits.maxHeaderBytes {
            throw HTTPError(.requestHeaderFieldsTooLarge, detail: "the request head exceeds \(limits.maxHeaderBytes) bytes")
        }
        return nil
    }

    /// Rejects an over-long request line: 414 when the target is what is long, since that is what
    /// the client should shorten; 400 when the line is not even `method SP target`.
    private func checkRequestLineLength(_ length: Int, in buffer: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPError) {
        guard length > limits.maxRequestLineBytes else { return }
        let line = UnsafeRawBufferPointer(rebasing: buffer[lineStart..<min(buffer.count, lineStart + 64)])
        if let space = line.firstIndex(of: 0x20), space > 0, line[..<space].allSatisfy({ CharacterClass.token[Int($0)] }) {
            throw HTTPError(.uriTooLong, detail: "the request line exceeds \(limits.maxRequestLineBytes) bytes")
        }
        throw HTTPError(.badRequest, detail: "the request line is longer than \(limits.maxRequestLineBytes) bytes and malformed")
    }
}
