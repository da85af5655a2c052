/// Delimits one request body on the wire, by Content-Length or chunked coding, and enforces the
/// body-size limit as bytes arrive (a chunked body has no declared size to check up front).
struct BodyDecoder {
    private enum Mode {
        case length(remaining: Int)
        case chunked(ChunkedDecoder)
    }

    private var mode: Mode
    private let maxBodyBytes: Int
    /// Wire bytes consumed so far (framing included).
    private(set) var bytesSeen = 0
    private var dataBytes = 0

    init(framing: BodyFraming, limits: HTTPLimits) {
        switch framing {
        case .none: mode = .length(remaining: 0)
        case .length(let n): mode = .length(remaining: n)
        case .chunked: mode = .chunked(ChunkedDecoder(limits: limits))
        }
        maxBodyBytes = limits.maxBodyBytes
    }

    var isComplete: Bool {
        switch mode {
        case .length(let remaining): remaining == 0
        case .chunked(let decoder): decoder.isDone
        }
    }

    /// Bytes still expected, when the framing says (nil for chunked).
    var remainingLength: Int? {
        if case .length(let remaining) = mode { return remaining }
        return nil
    }

    var trailers: HTTPHeaders {
        if case .chunked(let decoder) = mode { return decoder.trailers }
        return HTTPHeaders()
    }

    /// Consumes body bytes from `input`, emitting the data; returns how many bytes were consumed.
    mutating func decode(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) throws(HTTPError) -> Int {
        let consumed: Int
        switch mode {
        case .length(let remaining):
            consumed = min(remaining, input.count)
            if consumed > 0 { emit(UnsafeRawBufferPointer(rebasing: input[0..<consumed])) }
            mode = .length(remaining: remaining - consumed)
        case .chunked(var decoder):
            let limit = maxBodyBytes
            var total = dataBytes
            consumed = try decoder.decode(input) { data throws(HTTPError) in
                total += data.count
                guard total <= limit else {
                    throw HTTPError(.contentTooLarge, detail: "the chunked body exceeds the limit of \(limit) bytes")
                }
                emit(data)
            }
            dataBytes = total
            mode = .chunked(decoder)
        }
        bytesSeen += consumed
        return consumed
    }
}
