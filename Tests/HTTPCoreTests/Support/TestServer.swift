import HTTPCore
import Logging
import Sockets

/// Starts a real server on an ephemeral loopback port for the duration of `body`.
func withServer<T>(
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    router: Router,
    _ body: (HTTPServer, UInt16) async throws -> T
) async throws -> T {
    var configuration = HTTPServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configure(&configuration)
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let server = HTTPServer(configuration: configuration, responder: router, logger: logger)
    try server.start()
    let port = server.localAddresses[0].port
    do {
        let result = try await body(server, port)
        await server.shutdown(gracePeriod: .seconds(2))
        return result
    } catch {
        await server.shutdown(gracePeriod: .seconds(2))
        throw error
    }
}

/// Routes most tests use.
func testRouter() -> Router {
    var router = Router()
    router.get("/hello") { _ in .text("hello") }
    router.get("/path/:name") { request in .text("name=\(request.pathParameters["name"] ?? "")") }
    router.post("/echo") { request in
        let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
        var response = HTTPResponse.bytes(body, contentType: "application/octet-stream")
        for (name, value) in request.body.trailers { response.headers.add("X-Trailer-\(name)", value) }
        return response
    }
    router.post("/count") { request in
        // Streams the body without keeping it: the server must not buffer it either.
        var total = 0
        var checksum: UInt64 = 0
        for try await chunk in request.body {
            total += chunk.count
            for byte in chunk { checksum = checksum &* 31 &+ UInt64(byte) }
        }
        return .text("\(total) \(checksum)")
    }
    router.post("/reject") { _ in
        throw HTTPError(.forbidden, detail: "not for you")
    }
    router.get("/slow") { request in
        let millis = Int(request.queryItem("ms") ?? "500") ?? 500
        try await Task.sleep(for: .milliseconds(millis))
        return .text("slept \(millis)")
    }
    router.get("/stream") { request in
        let parts = Int(request.queryItem("parts") ?? "5") ?? 5
        return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"], body: .stream(length: nil) { writer in
            for i in 0..<parts { try await writer.write("part \(i)\n") }
        })
    }
    router.get("/fail") { _ in
        struct Boom: Error {}
        throw Boom()
    }
    return router
}
