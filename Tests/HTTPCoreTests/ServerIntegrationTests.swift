import Dispatch
@testable import HTTPCore
import Sockets
import Locks
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// End-to-end behaviour over real loopback sockets against a server on port 0.
@Suite(.serialized)
struct ServerIntegrationTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                for _ in 0..<3 {
                    try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    #expect(response.text == "hello")
                    #expect(response.headers["Connection"] == nil)
                    #expect(response.headers["Date"] != nil)
                    #expect(response.headers["X-Request-Id"]?.count == 32)
                }
                try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                let last = try client.readResponse()
                #expect(last.headers["Connection"] == "close")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let plain = try TestClient(port: port)
                try plain.send("GET /hello HTTP/1.0\r\n\r\n")
                #expect(try plain.readResponse().text == "hello")
                #expect(plain.isClosedByPeer())

                let persistent = try TestClient(port: port)
                try persistent.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                #expect(try persistent.readResponse().headers["Connection"] == "keep-alive")
                try persistent.send("GET /stream?parts=3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                // No chunked coding for HTTP/1.0: the body is delimited by closing.
                let streamed = try persistent.readResponse()
                #expect(streamed.headers["Transfer-Encoding"] == nil)
                #expect(streamed.text == "part 0\npart 1\npart 2\n")
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                // The slow one first: answers must still come back in request order.
                try client.send(
                    "GET /slow?ms=200 HTTP/1.1\r\nHost: t\r\n\r\nGET /path/a%20b HTTP/1.1\r\nHost: t\r\n\r\n"
                        + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde"
                        + "GET /path/last HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().text == "slept 200")
                #expect(try client.readResponse().text == "name=a b")
                #expect(try client.readResponse().text == "abcde")
                #expect(try client.readResponse().text == "name=last")
            }
        }
    }

    @Test func chunkedUploadWithTrailers() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
                try client.send("4\r\nWiki\r\n")
                try client.send("7;ext=1\r\npedia i\r\nB\r\nn chunks.\r\n\r\n0\r\nX-Sum: 42\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "Wikipedia in chunks.\r\n")
                #expect(response.headers["X-Trailer-X-Sum"] == "42")
                // The connection is still usable.
                try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().text == "hello")
            }
        }
    }

    @Test func expectContinueIsSentWhenTheHandlerReadsTheBody() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
                let interim = try client.readResponse()
                #expect(interim.status == 100)
                try client.send("data")
                let final = try client.readResponse()
                #expect(final.status == 200)
                #expect(final.text == "data")
            }
        }
    }

    @Test func expectContinueIsNotSentWhenTheHandlerRefuses() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                try client.send("POST /reject HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 403)
                #expect(response.headers["Content-Type"] == "application/problem+json")
                #expect(response.text.contains("\"detail\":\"not for you\""))
                // The body was never sent, so the framing is unknown: the server must close.
                #expect(response.headers["Connection"] == "close")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func oversizeBodiesGet413() async throws {
        try await withServer(configure: { $0.limits.maxBodyBytes = 1000 }, router: testRouter()) { _, port in
            try await blocking {
                let declared = try TestClient(port: port)
                try declared.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n")
                let response = try declared.readResponse()
                #expect(response.status == 413)
                #expect(response.headers["Content-Type"] == "application/problem+json")

                let chunked = try TestClient(port: port)
                try chunked.send("POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
                try chunked.send("400\r\n" + String(repeating: "x", count: 1024) + "\r\n")
                let streamed = try chunked.readResponse()
                #expect(streamed.status == 413)
                #expect(chunked.isClosedByPeer())
            }
        }
    }

    @Test func malformedRequestGetsProblemJSONAndClose() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 400)
                #expect(response.headers["Content-Type"] == "application/problem+json")
                #expect(response.text.contains("ambiguous framing"))
                #expect(response.headers["Connection"] == "close")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func routerAnswers404405AndHead() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                try client.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 404)
                try client.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                let notAllowed = try client.readResponse()
                #expect(notAllowed.status == 405)
                #expect(notAllowed.headers["Allow"] == "GET, HEAD, OPTIONS")
                try client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                let head = try client.readResponse(head: true)
                #expect(head.status == 200)
                #expect(head.headers["Content-Length"] == "5")
                // No body followed the HEAD response: the next response parses cleanly.
                try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().text == "hello")
                try client.send("GET /fail HTTP/1.1\r\nHost: t\r\n\r\n")
                let failed = try client.readResponse()
                #expect(failed.status == 500)
                #expect(!failed.text.contains("Boom"))
            }
        }
    }

    @Test func streamedResponseUsesChunkedCoding() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                try client.send("GET /stream?parts=200 HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.headers["Transfer-Encoding"] == "chunked")
                #expect(response.text.hasSuffix("part 199\n"))
                #expect(response.text.split(separator: "\n").count == 200)
            }
        }
    }

    @Test func requestIDIsEchoedWhenSafeAndReplacedWhenNot() async throws {
        try await withServer(router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-123\r\n\r\n")
                #expect(try client.readResponse().headers["X-Request-Id"] == "abc-123")
                try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Request-Id: evil value<script>\r\n\r\n")
                let replaced = try client.readResponse().headers["X-Request-Id"]
                #expect(replaced != nil && replaced != "evil value<script>")
            }
        }
    }

    @Test func largeUploadIsStreamedThrough() async throws {
        try await withServer(configure: { $0.limits.maxBodyBytes = 64 << 20 }, router: testRouter()) { _, port in
            try await blocking {
                let size = 24 << 20
                var body = [UInt8](repeating: 0, count: size)
                var checksum: UInt64 = 0
                var state: UInt32 = 12345
                for i in 0..<size {
                    state = state &* 1_103_515_245 &+ 12345
                    body[i] = UInt8(truncatingIfNeeded: state >> 16)
                    checksum = checksum &* 31 &+ UInt64(body[i])
                }
                let client = try TestClient(port: port, timeoutMilliseconds: 30000)
                try client.send("POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: \(size)\r\n\r\n")
                try client.send(body)
                #expect(try client.readResponse().text == "\(size) \(checksum)")
            }
        }
    }

    @Test func slowHeaderClientIsCutOffWhileOthersAreServed() async throws {
        try await withServer(configure: { $0.timeouts.header = .milliseconds(800) }, router: testRouter()) { _, port in
            let slowResult = LockedValue<(status: Int?, closed: Bool)>((nil, false))
            let slow = Task.detached {
                try await blocking {
                    let client = try TestClient(port: port, timeoutMilliseconds: 5000)
                    let start = DispatchTime.now()
                    // One byte every 100 ms: would take 3 s to send this head.
                    for byte in "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n".utf8 {
                        guard (try? client.send([byte])) != nil else { break }
                        usleep(100_000)
                        if DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds > 1_500_000_000 { break }
                    }
                    let response = try? client.readResponse()
                    slowResult.withLock { $0 = (response?.status, client.isClosedByPeer()) }
                }
            }
            // Meanwhile, ordinary clients are answered promptly.
            for _ in 0..<10 {
                let text = try await blocking {
                    let client = try TestClient(port: port, timeoutMilliseconds: 1000)
                    try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                    return try client.readResponse().text
                }
                #expect(text == "hello")
            }
            try await slow.value
            let (status, closed) = slowResult.withLock { $0 }
            #expect(status == 408)
            #expect(closed)
        }
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        try await withServer(configure: { $0.timeouts.keepAlive = .milliseconds(300) }, router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port, timeoutMilliseconds: 3000)
                try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().text == "hello")
                let start = DispatchTime.now().uptimeNanoseconds
                #expect(client.isClosedByPeer())
                let waited = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                #expect(waited > 0.2 && waited < 2, "closed after \(waited) s")
            }
        }
    }

    @Test func stalledBodyGets408() async throws {
        try await withServer(configure: { $0.timeouts.bodyIdle = .milliseconds(400) }, router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port, timeoutMilliseconds: 3000)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly part")
                let response = try client.readResponse()
                #expect(response.status == 408)
                #expect(response.text.contains("no request body bytes arrived"))
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func tricklingBodyBelowTheMinimumRateGets408() async throws {
        try await withServer(configure: {
            $0.timeouts.minimumRateWindow = .milliseconds(500)
            $0.timeouts.minimumBodyBytesPerSecond = 1000
        }, router: testRouter()) { _, port in
            try await blocking {
                let client = try TestClient(port: port, timeoutMilliseconds: 3000)
                try client.send("POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
                // 10 bytes every 50 ms = 200 B/s: alive, but far below the floor.
                var status: Int?
                for _ in 0..<40 {
                    guard (try? client.send(Array(repeating: UInt8(ascii: "x"), count: 10))) != nil else { break }
                    usleep(50_000)
                }
                status = try? client.readResponse().status
                #expect(status == 408)
            }
        }
    }

    @Test func manyConcurrentClients() async throws {
        try await withServer(router: testRouter()) { _, port in
            let failures = LockedValue(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<32 {
                    group.addTask {
                        try await blocking {
                            let client = try TestClient(port: port)
                            for i in 0..<20 {
                                try client.send("GET /path/w\(worker)-\(i) HTTP/1.1\r\nHost: t\r\n\r\n")
                                if try client.readResponse().text != "name=w\(worker)-\(i)" { failures.withLock { $0 += 1 } }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(failures.withLock { $0 } == 0)
        }
    }

    @Test func gracefulShutdownFinishesTheRequestInFlight() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, responder: testRouter())
        try server.start()
        let port = server.localAddresses[0].port
        let idle = try await blocking { try TestClient(port: port) }
        let inFlight = Task.detached {
            try await blocking {
                let client = try TestClient(port: port)
                try client.send("GET /slow?ms=600 HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try client.readResponse()
                return (response.text, response.headers["Connection"], client.isClosedByPeer())
            }
        }
        try await Task.sleep(for: .milliseconds(150))
        let started = DispatchTime.now()
        await server.shutdown(gracePeriod: .seconds(5))
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let (text, connection, closed) = try await inFlight.value
        #expect(text == "slept 600")
        #expect(connection == "close")
        #expect(closed)
        #expect(elapsed < 3, "shutdown waited for the request, not the grace period")
        // The idle keep-alive connection was closed, and nothing listens any more.
        #expect(try await blocking { idle.isClosedByPeer() })
        await #expect(throws: (any Error).self) { try await blocking { try TestClient(port: port) } }
    }

    @Test func shutdownDeadlineClosesStuckRequests() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, responder: testRouter())
        try server.start()
        let port = server.localAddresses[0].port
        let stuck = Task.detached {
            try await blocking {
                let client = try TestClient(port: port, timeoutMilliseconds: 5000)
                try client.send("GET /slow?ms=10000 HTTP/1.1\r\nHost: t\r\n\r\n")
                return client.isClosedByPeer()
            }
        }
        try await Task.sleep(for: .milliseconds(150))
        let started = DispatchTime.now()
        await server.shutdown(gracePeriod: .milliseconds(300))
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        #expect(elapsed < 2)
        #expect(try await stuck.value)
    }

    @Test func connectionLimitAnswers503() async throws {
        try await withServer(configure: { $0.maxConnections = 2 }, router: testRouter()) { server, port in
            try await blocking {
                let first = try TestClient(port: port)
                let second = try TestClient(port: port)
                try first.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try first.readResponse()
                try second.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try second.readResponse()
                let third = try TestClient(port: port)
                let refused = try third.readResponse()
                #expect(refused.status == 503)
                #expect(refused.headers["Retry-After"] == "1")
            }
        }
    }

    @Test func listensOnIPv6() async throws {
        try await withServer(configure: { $0.host = "::1" }, router: testRouter()) { server, port in
            #expect(server.localAddresses[0].family == .ipv6)
            let text = try await blocking {
                let client = try TestClient(port: port, host: "::1")
                try client.send("GET /hello HTTP/1.1\r\nHost: [::1]\r\n\r\n")
                return try client.readResponse().text
            }
            #expect(text == "hello")
        }
    }
}

/// Multipart uploads through a real server: parts arrive whole whatever the TCP segmentation.
@Suite(.serialized)
struct MultipartUploadTests {
    static func router() -> Router {
        var router = Router()
        router.post("/form") { request in
            var limits = MultipartLimits()
            limits.maxPartBytes = 1 << 20
            let parts = try await request.body.collectMultipartForm(contentType: request.headers["Content-Type"], limits: limits)
            let summary = parts.map { "\($0.name ?? "?"):\($0.filename ?? "-"):\($0.body.count)" }.joined(separator: ",")
            return .text(summary)
        }
        return router
    }

    static func body(boundary: String, image: [UInt8]) -> [UInt8] {
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"style\"\r\n\r\npopout\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
        body += image
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return body
    }

    @Test func uploadSplitIntoTwoWritesAtManyOffsets() async throws {
        try await withServer(router: Self.router()) { _, port in
            try await blocking {
                let image = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) } + Array("\r\n--boundar".utf8)
                let body = Self.body(boundary: "boundary", image: image)
                let client = try TestClient(port: port)
                for split in stride(from: 1, to: body.count, by: 97) {
                    try client.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=boundary\r\nContent-Length: \(body.count)\r\n\r\n")
                    try client.send(Array(body[..<split]))
                    try client.send(Array(body[split...]))
                    let response = try client.readResponse()
                    #expect(response.text == "style:-:6,image:a.jpg:\(image.count)", "split at \(split)")
                }
            }
        }
    }

    @Test func malformedAndOversizeFormsGetPreciseErrors() async throws {
        try await withServer(router: Self.router()) { _, port in
            try await blocking {
                let client = try TestClient(port: port)
                let truncated = Array(Self.body(boundary: "b", image: [1, 2, 3]).dropLast(8))
                try client.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: \(truncated.count)\r\n\r\n")
                try client.send(truncated)
                let bad = try client.readResponse()
                #expect(bad.status == 400)
                #expect(bad.text.contains("closing boundary"))

                try client.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi")
                #expect(try client.readResponse().status == 415)

                let big = Self.body(boundary: "b", image: [UInt8](repeating: 9, count: 2 << 20))
                let large = try TestClient(port: port)
                try large.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: \(big.count)\r\n\r\n")
                try? large.send(big)
                let tooLarge = try large.readResponse()
                #expect(tooLarge.status == 413)
                #expect(tooLarge.text.contains("image"))
            }
        }
    }
}

/// Back-pressure: a slow handler must hold the server's buffering to its high-water mark,
/// however fast and large the upload.
@Suite(.serialized)
struct BackPressureTests {
    @Test func slowConsumerBoundsBufferedBytes() async throws {
        let peak = LockedValue(0)
        var router = Router()
        router.post("/slow-sink") { request in
            var total = 0
            for try await chunk in request.body {
                total += chunk.count
                try await Task.sleep(for: .microseconds(200))  // a consumer slower than loopback
            }
            peak.withLock { $0 = request.body.channel?.peakBufferedBytes ?? -1 }
            return .text("\(total)")
        }
        let highWater = 256 * 1024
        try await withServer(configure: { $0.bodyBufferBytes = highWater }, router: router) { _, port in
            try await blocking {
                let size = 20 << 20
                let client = try TestClient(port: port, timeoutMilliseconds: 60000)
                try client.send("POST /slow-sink HTTP/1.1\r\nHost: t\r\nContent-Length: \(size)\r\n\r\n")
                try client.send([UInt8](repeating: 7, count: size))
                #expect(try client.readResponse().text == "\(size)")
            }
        }
        let observed = peak.withLock { $0 }
        // One socket read (at most the 64 KiB-ish inbound buffer) may land on top of the mark.
        #expect(observed > 0 && observed <= highWater + 128 * 1024, "peak buffered \(observed) bytes of a 20 MiB upload")
    }
}
