/// Decodes the chunked transfer coding (RFC 9112 §7.1) incrementally: bytes arrive in any
/// split, data is handed out as views into the input (no copy here), and every field that could
/// grow without bound (size digits, extensions, trailers) has a limit.
struct ChunkedDecoder {
    enum State: Equatable {
        case size
        case sizeWhitespace
        case extensions
        case sizeLF
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLine
        case done
    }

    private(set) var state: State = .size
    private var chunkSize = 0
    private var sizeDigits = 0
    private var extensionBytes = 0
    private var trailerLine: [UInt8] = []
    private var trailerBytes = 0
    private var lastWasCR = false
    private(set) var trailers = HTTPHeaders()
    let limits: HTTPLimits

    init(limits: HTTPLimits) { self.limits = limits }

    var isDone: Bool { state == .done }

    /// Consumes as much of `input` as it can, calling `emit` with each run of body data.
    /// Returns the number of bytes consumed (all of them unless the body ended inside `input`).
    mutating func decode(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws(HTTPError) -> Void) throws(HTTPError) -> Int {
        var index = 0
        while index < input.count {
            switch state {
            case .data(let remaining):
                let take = min(remaining, input.count - index)
                try emit(UnsafeRawBufferPointer(rebasing: input[index..<(index + take)]))
                index += take
                state = remaining == take ? .dataCR : .data(remaining: remaining - take)
                continue
            case .done:
                return index
            default:
                break
            }
            let byte = input[index]
            index += 1
            switch state {
            case .size:
                if let digit = HexDigit.value(of: byte) {
                    sizeDigits += 1
                    // 15 hex digits already exceed any body we accept; more would overflow Int.
                    guard sizeDigits <= 15 else { throw HTTPError(.contentTooLarge, detail: "chunk size has too many digits") }
                    chunkSize = chunkSize << 4 | Int(digit)
                } else {
                    guard sizeDigits > 0 else {
                        throw HTTPError(.badRequest, detail: "malformed chunk size (expected hexadecimal digits)")
                    }
                    try afterSize(byte)
                }
            case .sizeWhitespace:
                // BWS is only allowed before a chunk extension.
                if byte == 0x20 || byte == 0x09 { continue }
                guard byte == UInt8(ascii: ";") else {
                    throw HTTPError(.badRequest, detail: "whitespace after a chunk size must be followed by a chunk extension")
                }
                state = .extensions
            case .extensions:
                extensionBytes += 1
                guard extensionBytes <= limits.maxChunkExtensionBytes else {
                    throw HTTPError(.badRequest, detail: "chunk extensions longer than \(limits.maxChunkExtensionBytes) bytes")
                }
                if byte == 0x0D {
                    state = .sizeLF
                } else if byte != 0x09 && (byte < 0x20 || byte == 0x7F) {
                    throw HTTPError(.badRequest, detail: "control byte in a chunk extension")
                }
            case .sizeLF:
                guard byte == 0x0A else { throw HTTPError(.badRequest, detail: "chunk size line does not end with CRLF") }
                if chunkSize == 0 {
                    state = .trailerLine
                } else {
                    state = .data(remaining: chunkSize)
                }
                extensionBytes = 0
            case .dataCR:
                guard byte == 0x0D else { throw HTTPError(.badRequest, detail: "chunk data is longer than its declared size") }
                state = .dataLF
            case .dataLF:
                guard byte == 0x0A else { throw HTTPError(.badRequest, detail: "chunk data is not followed by CRLF") }
                state = .size
                chunkSize = 0
                sizeDigits = 0
            case .trailerLine:
                try consumeTrailerByte(byte)
            case .data, .done:
                break
            }
        }
        return index
    }

    private mutating func afterSize(_ byte: UInt8) throws(HTTPError) {
        switch byte {
        case 0x0D: state = .sizeLF
        case UInt8(ascii: ";"): state = .extensions
        case 0x20, 0x09: state = .sizeWhitespace
        default: throw HTTPError(.badRequest, detail: "malformed chunk size (unexpected byte 0x\(HTTPRequestHeadParser.hex(byte)))")
        }
    }

    private mutating func consumeTrailerByte(_ byte: UInt8) throws(HTTPError) {
        trailerBytes += 1
        guard trailerBytes <= limits.maxTrailerBytes else {
            throw HTTPError(.requestHeaderFieldsTooLarge, detail: "chunked trailer section exceeds \(limits.maxTrailerBytes) bytes")
        }
        if lastWasCR {
            guard byte == 0x0A else { throw HTTPError(.badRequest, detail: "bare CR in the chunked trailer section") }
            lastWasCR = false
            if trailerLine.isEmpty {
                state = .done
                return
            }
            let lineNumber = trailers.count + 1
            let parsed = trailerLine.withUnsafeBytes { line in
                Result { () throws(HTTPError) in try HTTPRequestHeadParser.parseField(line, lineNumber: lineNumber) }
            }
            let field = try parsed.get()
            trailerLine.removeAll(keepingCapacity: true)
            // Framing, routing and authentication fields must never come from a trailer (RFC 9110 §6.5.1).
            let forbidden = ["Content-Length", "Transfer-Encoding", "Host", "Content-Type", "Authorization", "Trailer", "Connection"]
            guard !forbidden.contains(where: { HTTPHeaders.equalsIgnoringCase($0, field.0) }) else { return }
            guard trailers.count < limits.maxHeaderCount else {
                throw HTTPError(.requestHeaderFieldsTooLarge, detail: "too many trailer fields")
            }
            trailers.add(field.0, field.1)
        } else if byte == 0x0D {
            lastWasCR = true
        } else if byte == 0x0A {
            throw HTTPError(.badRequest, detail: "bare LF in the chunked trailer section")
        } else {
            trailerLine.append(byte)
        }
    }
}
