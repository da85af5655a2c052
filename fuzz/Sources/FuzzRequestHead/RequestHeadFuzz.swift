@testable import HTTPCore

/// The request head as the connection sees it: HeadScanner finds the end of the head in bytes that
/// arrive piecewise, HTTPRequestHeadParser parses it. Besides "never crash", two properties:
/// the scanner's answer must not depend on how the bytes were split across reads (a split chosen
/// by the input's first byte), and a parsed head must respect the limits it was parsed under.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    var limits = HTTPLimits()
    // Small limits so the fuzzer reaches the 414/431 branches with short inputs.
    limits.maxRequestLineBytes = 256
    limits.maxHeaderBytes = 1024
    limits.maxHeaderCount = 16
    let split = Int(data[0])
    let buffer = UnsafeRawBufferPointer(start: data + 1, count: size - 1)

    let whole = scanAndParse(buffer, limits: limits, splitAt: nil)
    let pieces = scanAndParse(buffer, limits: limits, splitAt: min(split, buffer.count))
    guard whole == pieces else {
        fatalError("outcome depends on the read split at \(split): \(whole) vs \(pieces)")
    }
    return 0
}

/// What happened, in a comparable form (status + detail, or the parsed head's essentials).
enum Outcome: Equatable {
    case incomplete
    case rejected(Int, String)
    case parsed(range: Range<Int>, method: String, target: String, headers: Int, framing: BodyFraming)
}

func scanAndParse(_ buffer: UnsafeRawBufferPointer, limits: HTTPLimits, splitAt: Int?) -> Outcome {
    var scanner = HeadScanner()
    do throws(HTTPError) {
        var range: Range<Int>?
        if let splitAt {
            // The connection rescans its growing buffer: first the prefix, then all of it.
            range = try scanner.scan(UnsafeRawBufferPointer(rebasing: buffer[..<splitAt]), limits: limits)
        }
        if range == nil { range = try scanner.scan(buffer, limits: limits) }
        guard let range else { return .incomplete }
        precondition(range.lowerBound >= 0 && range.upperBound <= buffer.count, "head range outside the buffer")
        let head = try HTTPRequestHeadParser.parse(UnsafeRawBufferPointer(rebasing: buffer[range]), limits: limits)
        precondition(head.headers.count <= limits.maxHeaderCount, "more headers than the limit")
        if case .length(let n) = head.framing { precondition(n >= 0 && n <= limits.maxBodyBytes, "Content-Length \(n) past the limit") }
        // What a handler would do next with the target.
        let (path, _) = RequestTarget.split(head.target)
        precondition(!path.isEmpty, "empty path")
        return .parsed(range: range, method: head.method.rawValue, target: head.target, headers: head.headers.count, framing: head.framing)
    } catch {
        precondition((400..<600).contains(error.status.code), "rejection with status \(error.status.code)")
        return .rejected(error.status.code, error.detail)
    }
}
