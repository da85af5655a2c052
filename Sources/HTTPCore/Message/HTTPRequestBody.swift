/// A request body as an asynchronous sequence of byte chunks.
///
/// The connection delivers chunks as they arrive and pauses reading the socket while more than a
/// high-water mark of bytes waits here unconsumed, so a large upload is never buffered whole
/// unless the handler itself collects it. A body can be iterated once.
public struct HTTPRequestBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    let channel: BodyChannel?
    /// The declared Content-Length, 0 for no body, nil for a chunked body.
    public let expectedLength: Int?

    init(channel: BodyChannel?, expectedLength: Int?) {
        self.channel = channel
        self.expectedLength = expectedLength
    }

    public static let empty = HTTPRequestBody(channel: nil, expectedLength: 0)

    /// An in-memory body, e.g. for calling a responder directly in tests.
    public static func bytes(_ bytes: [UInt8]) -> HTTPRequestBody {
        let channel = BodyChannel(highWaterMark: .max, delegate: nil)
        if !bytes.isEmpty { _ = channel.push(bytes) }
        channel.finish(trailers: HTTPHeaders())
        return HTTPRequestBody(channel: channel, expectedLength: bytes.count)
    }

    /// Trailer fields of a chunked body; available once the body has been read to its end.
    public var trailers: HTTPHeaders { channel?.trailers ?? HTTPHeaders() }

    /// Reads the whole body, refusing with 413 as soon as it exceeds `maxBytes`.
    public func collect(upTo maxBytes: Int) async throws -> [UInt8] {
        if let expectedLength, expectedLength > maxBytes {
            throw HTTPError(.contentTooLarge, detail: "the body of \(expectedLength) bytes exceeds the limit of \(maxBytes) bytes")
        }
        var result: [UInt8] = []
        result.reserveCapacity(Swift.min(expectedLength ?? 64 * 1024, maxBytes))
        for try await chunk in self {
            guard result.count + chunk.count <= maxBytes else {
                throw HTTPError(.contentTooLarge, detail: "the body exceeds the limit of \(maxBytes) bytes")
            }
            result.append(contentsOf: chunk)
        }
        return result
    }

    public func makeAsyncIterator() -> Iterator { Iterator(channel: channel) }

    public struct Iterator: AsyncIteratorProtocol {
        let channel: BodyChannel?

        public mutating func next() async throws -> [UInt8]? {
            guard let channel else { return nil }
            return try await channel.next()
        }
    }
}
