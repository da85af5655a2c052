/// Writes a streamed response body. Each `write` returns once the bytes are queued on the
/// connection and the connection's outbound buffer is below its high-water mark, so a slow client
/// slows the producer instead of growing memory.
public struct HTTPBodyWriter: Sendable {
    let sink: any HTTPBodySink

    init(sink: any HTTPBodySink) { self.sink = sink }

    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await sink.writeBodyChunk(bytes)
    }

    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }
}

/// The connection side of `HTTPBodyWriter` (a protocol only so that tests can capture output).
protocol HTTPBodySink: Sendable {
    func writeBodyChunk(_ bytes: [UInt8]) async throws
}
