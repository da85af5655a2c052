import Hummingbird
import Logging

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 8082
var logger = Logger(label: "bench")
logger.logLevel = .warning
let router = Router()
router.get("hello") { _, _ in "hello" }
let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    logger: logger
)
try await app.runService()
