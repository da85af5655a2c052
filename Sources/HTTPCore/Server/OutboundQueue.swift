import Sockets

/// Bytes waiting to be sent on a connection, in order. Small pieces (response heads, small
/// bodies, chunk framing) are coalesced into one buffer so a typical response leaves in one
/// system call; large bodies are queued as they are, never copied.
struct OutboundQueue {
    private var chunks: [[UInt8]] = []
    private var head = 0
    /// Bytes of `chunks[head]` already sent.
    private var offset = 0
    private(set) var pendingBytes = 0

    /// Pieces smaller than this are appended to the previous buffer instead of queued alone.
    static let coalesceLimit = 16 * 1024

    var isEmpty: Bool { pendingBytes == 0 }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        pendingBytes += bytes.count
        if bytes.count < Self.coalesceLimit, head < chunks.count, chunks[chunks.count - 1].count < Self.coalesceLimit {
            chunks[chunks.count - 1].append(contentsOf: bytes)
        } else {
            chunks.append(bytes)
        }
    }

    /// Writes as much as the socket takes now. Returns true when everything was sent.
    mutating func flush(to socket: Socket) throws -> (done: Bool, sent: Int) {
        var sent = 0
        while head < chunks.count {
            let result: Socket.IOResult
            if head + 1 < chunks.count {
                // Gather the first two buffers (typically head + large body) into one sendmsg.
                result = try Self.write(chunks[head], from: offset, and: chunks[head + 1], to: socket)
            } else {
                result = try chunks[head].withUnsafeBytes { bytes in
                    try socket.write(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                }
            }
            guard case .bytes(var n) = result else { return (false, sent) }
            sent += n
            pendingBytes -= n
            while n > 0 {
                let left = chunks[head].count - offset
                if n >= left {
                    n -= left
                    chunks[head] = []
                    head += 1
                    offset = 0
                } else {
                    offset += n
                    n = 0
                }
            }
        }
        chunks.removeAll(keepingCapacity: true)
        head = 0
        offset = 0
        return (true, sent)
    }

    mutating func removeAll() {
        chunks.removeAll()
        head = 0
        offset = 0
        pendingBytes = 0
    }

    private static func write(_ first: [UInt8], from offset: Int, and second: [UInt8], to socket: Socket) throws -> Socket.IOResult {
        try first.withUnsafeBytes { a in
            try second.withUnsafeBytes { b in
                try socket.write(UnsafeRawBufferPointer(rebasing: a[offset...]), b)
            }
        }
    }
}
