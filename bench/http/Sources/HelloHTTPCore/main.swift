import HTTPCore
import Logging

let port = CommandLine.arguments.count > 1 ? UInt16(CommandLine.arguments[1])! : 8081
var configuration = HTTPServerConfiguration()
configuration.host = "127.0.0.1"
configuration.port = port
var logger = Logger(label: "bench")
logger.logLevel = .warning  // no access log: the peers log nothing per request either
var router = Router()
router.get("/hello") { _ in .text("hello") }
let server = HTTPServer(configuration: configuration, responder: router, logger: logger)
try await server.run(gracePeriod: .seconds(1))
