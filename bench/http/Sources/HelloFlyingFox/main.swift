import FlyingFox
import Foundation

let port = CommandLine.arguments.count > 1 ? UInt16(CommandLine.arguments[1])! : 8083
let server = HTTPServer(port: port, logger: .disabled)
await server.appendRoute("GET /hello") { _ in
    HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: Data("hello".utf8))
}
try await server.run()
