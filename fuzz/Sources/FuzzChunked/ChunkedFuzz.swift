@testable import HTTPCore

/// The chunked transfer decoder over arbitrary bytes, fed whole and fed in pieces of a size the
/// input's first byte picks: the decoded body, the bytes consumed, the trailers and any error must
/// be the same either way (bytes arrive in whatever split TCP gives), and the body can never be
/// longer than the input that carried it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunked(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    var limits = HTTPLimits()
    limits.maxChunkExtensionBytes = 64
    limits.maxTrailerBytes = 256
    limits.maxHeaderCount = 8
    let step = Int(data[0]) + 1
    let input = UnsafeRawBufferPointer(start: data + 1, count: size - 1)

    let whole = decode(input, limits: limits, step: input.count)
    let pieces = decode(input, limits: limits, step: step)
    guard whole == pieces else {
        fatalError("outcome depends on the split (\(step)-byte pieces): \(whole) vs \(pieces)")
    }
    if case .done(let body, let consumed, _) = whole {
        precondition(body.count <= consumed && consumed <= input.count, "body longer than its framing")
    }
    return 0
}

enum Outcome: Equatable {
    case done(body: [UInt8], consumed: Int, trailers: [String])
    case incomplete(body: [UInt8])
    case rejected(Int, String)
}

func decode(_ input: UnsafeRawBufferPointer, limits: HTTPLimits, step: Int) -> Outcome {
    var decoder = ChunkedDecoder(limits: limits)
    var body: [UInt8] = []
    var consumed = 0
    do throws(HTTPError) {
        while consumed < input.count && !decoder.isDone {
            let end = min(input.count, consumed + max(step, 1))
            let piece = UnsafeRawBufferPointer(rebasing: input[consumed..<end])
            let used = try decoder.decode(piece) { body.append(contentsOf: $0) }
            precondition(used >= 0 && used <= piece.count, "consumed \(used) of \(piece.count)")
            consumed += used
            if used < piece.count { precondition(decoder.isDone, "stopped early without finishing") }
        }
        guard decoder.isDone else { return .incomplete(body: body) }
        return .done(body: body, consumed: consumed, trailers: decoder.trailers.map { "\($0.name): \($0.value)" })
    } catch {
        return .rejected(error.status.code, error.detail)
    }
}
