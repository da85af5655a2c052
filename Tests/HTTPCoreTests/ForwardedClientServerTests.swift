@testable import HTTPCore
import Testing

/// `HTTPRequest.clientAddress` as a handler sees it over a real loopback socket.
@Suite(.serialized)
struct ForwardedClientServerTests {
    static func router() -> Router {
        var router = Router()
        router.get("/whoami") { request in .text(request.clientAddress ?? "-") }
        return router
    }

    static func ask(port: UInt16, forwardedFor: String) async throws -> String {
        try await blocking {
            let client = try TestClient(port: port)
            try client.send("GET /whoami HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: \(forwardedFor)\r\nConnection: close\r\n\r\n")
            return try client.readResponse().text
        }
    }

    @Test func aTrustedLoopbackProxyPassesTheClientOn() async throws {
        try await withServer(configure: { $0.trustedProxies = [IPNetwork("127.0.0.0/8")!] }, router: Self.router()) { _, port in
            let answer = try await Self.ask(port: port, forwardedFor: "6.6.6.6, 198.51.100.20")
            #expect(answer == "198.51.100.20")
        }
    }

    @Test func withoutTrustedProxiesTheHeaderIsIgnored() async throws {
        try await withServer(router: Self.router()) { _, port in
            let answer = try await Self.ask(port: port, forwardedFor: "198.51.100.20")
            #expect(answer == "127.0.0.1")
        }
    }
}
