import Dispatch
import Foundation
import HTTPCore
import Sockets
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately dumb blocking HTTP/1.1 client over a real socket, so tests see exactly the
/// bytes the server sends. It runs on Dispatch threads (via `blocking`), never on the Swift
/// concurrency pool the server's handlers need.
/// Unchecked: each client is used by one thread at a time (it moves between threads only
/// through `blocking`, which hands it over).
final class TestClient: @unchecked Sendable {
    let socket: Socket
    private var buffer: [UInt8] = []

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum ClientError: Error { case closed, timedOut, malformed(String) }

    /// The default timeout is only a hang guard, so it is long: the server under test answers from
    /// Swift tasks, and `swift test` runs the CPU-heavy suites (inference, imaging) on the same
    /// cooperative pool, one thread per core. On a 2-core machine those can hold the pool for well
    /// over 15 s under load (seen: three HTTP tests timing out together at 18 s while a training job
    /// shared the cores), and a correct server then answers late, not never.
    init(port: UInt16, host: String = "127.0.0.1", timeoutMilliseconds: Int = 120_000) throws {
        let address = try SocketAddress.resolve(host: host, port: port, passive: false)[0]
        socket = try Socket.connect(to: address)
        try socket.setReceiveTimeout(milliseconds: timeoutMilliseconds)
    }

    deinit { socket.close() }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let result = try bytes[offset...].withUnsafeBytes { try socket.write($0) }
            guard case .bytes(let n) = result else { throw ClientError.closed }
            offset += n
        }
    }

    /// Reads until `predicate` holds for the buffered bytes, or EOF / timeout.
    private func fill(until predicate: ([UInt8]) -> Bool) throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !predicate(buffer) {
            let n = chunk.withUnsafeMutableBytes { recv(socket.fileDescriptor, $0.baseAddress, $0.count, 0) }
            if n == 0 { throw ClientError.closed }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timedOut }
                if errno == ECONNRESET { throw ClientError.closed }
                throw ClientError.malformed("recv errno \(errno)")
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Reads one response. `head: true` for responses to HEAD (no body whatever the headers say).
    func readResponse(head: Bool = false) throws -> Response {
        try fill { Self.find([13, 10, 13, 10], in: $0) != nil }
        let end = Self.find([13, 10, 13, 10], in: buffer)!
        let headText = String(decoding: buffer[0..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError.malformed(headText) }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw ClientError.malformed(line) }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        if head || status < 200 || status == 204 || status == 304 {
            return Response(status: status, headers: headers, body: [])
        }
        if let length = headers["Content-Length"].flatMap(Int.init) {
            try fill { $0.count >= length }
            let body = Array(buffer[0..<length])
            buffer.removeFirst(length)
            return Response(status: status, headers: headers, body: body)
        }
        if headers["Transfer-Encoding"]?.lowercased() == "chunked" {
            var body: [UInt8] = []
            while true {
                try fill { Self.find([13, 10], in: $0) != nil }
                let lineEnd = Self.find([13, 10], in: buffer)!
                let size = Int(String(decoding: buffer[0..<lineEnd], as: UTF8.self), radix: 16) ?? -1
                guard size >= 0 else { throw ClientError.malformed("chunk size") }
                buffer.removeFirst(lineEnd + 2)
                if size == 0 {
                    try fill { Self.find([13, 10], in: $0) != nil }
                    buffer.removeFirst(Self.find([13, 10], in: buffer)! + 2)
                    return Response(status: status, headers: headers, body: body)
                }
                try fill { $0.count >= size + 2 }
                body.append(contentsOf: buffer[0..<size])
                buffer.removeFirst(size + 2)
            }
        }
        // Close-delimited.
        do { try fill { _ in false } } catch ClientError.closed {}
        let body = buffer
        buffer.removeAll()
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether the server closed the connection (EOF) within the receive timeout.
    func isClosedByPeer() -> Bool {
        do {
            try fill { _ in false }
            return false
        } catch ClientError.closed {
            return true
        } catch {
            return false
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// Runs blocking client code on a thread of its own and awaits it. Not on Dispatch's global
/// queues: those have about one thread per core, and blocked clients there would starve the
/// server under test, whose connection queues share that pool.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

