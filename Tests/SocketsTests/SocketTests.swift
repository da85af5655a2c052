import Testing
@testable import Sockets

struct SocketTests {
    @Test func resolvesNumericAddressesOfBothFamilies() throws {
        let v4 = try SocketAddress.resolve(host: "127.0.0.1", port: 8080)
        #expect(v4.count == 1)
        #expect(v4[0].family == .ipv4)
        #expect(v4[0].description == "127.0.0.1:8080")
        let v6 = try SocketAddress.resolve(host: "::1", port: 443)
        #expect(v6[0].family == .ipv6)
        #expect(v6[0].description == "[::1]:443")
    }

    @Test func unresolvableHostIsATypedError() {
        #expect(throws: SocketError.self) { try SocketAddress.resolve(host: "no such host..invalid", port: 1) }
    }

    @Test func listenAcceptReadWriteOverLoopback() throws {
        let address = try SocketAddress.resolve(host: "127.0.0.1", port: 0)[0]
        let listener = try Socket.listening(on: address, backlog: 8)
        defer { listener.close() }
        let bound = try listener.localAddress()
        #expect(bound.port != 0)
        // Non-blocking: nothing pending yet.
        #expect(try listener.accept() == nil)

        let client = try Socket.connect(to: bound)
        defer { client.close() }
        var accepted: (Socket, SocketAddress)?
        for _ in 0..<100 where accepted == nil {
            accepted = try listener.accept()
            if accepted == nil { try client.setReceiveTimeout(milliseconds: 10) }
        }
        let (server, peer) = try #require(accepted)
        defer { server.close() }
        #expect(peer.host == "127.0.0.1")

        let message = Array("ping".utf8)
        #expect(try message.withUnsafeBytes { try client.write($0) } == .bytes(4))
        var buffer = [UInt8](repeating: 0, count: 16)
        var result = Socket.IOResult.wouldBlock
        for _ in 0..<100 where result == .wouldBlock {
            result = try buffer.withUnsafeMutableBytes { try server.read(into: $0) }
        }
        #expect(result == .bytes(4))
        #expect(Array(buffer[0..<4]) == message)

        // Gather write of two buffers arrives as one stream.
        let a = Array("ab".utf8), b = Array("cd".utf8)
        _ = try a.withUnsafeBytes { x in try b.withUnsafeBytes { y in try server.write(x, y) } }
        try client.setBlocking(true)
        try client.setReceiveTimeout(milliseconds: 1000)
        result = try buffer.withUnsafeMutableBytes { try client.read(into: $0) }
        #expect(result == .bytes(4))
        #expect(String(decoding: buffer[0..<4], as: UTF8.self) == "abcd")

        client.close()
        result = .wouldBlock
        for _ in 0..<100 where result == .wouldBlock {
            result = try buffer.withUnsafeMutableBytes { try server.read(into: $0) }
        }
        #expect(result == .endOfFile)
    }

    @Test func bindingAnAddressInUseFails() throws {
        let address = try SocketAddress.resolve(host: "127.0.0.1", port: 0)[0]
        let first = try Socket.listening(on: address, backlog: 1)
        defer { first.close() }
        let taken = try first.localAddress()
        #expect(throws: SocketError.self) { try Socket.listening(on: taken, backlog: 1) }
    }
}
