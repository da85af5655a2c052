import ArgumentParser
import HTTPCore
import Logging

/// `semadjust serve`: runs the HTTP service until SIGTERM/SIGINT, then drains gracefully.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP service.")

    @Option(help: "Address to listen on (env SEMADJUST_HOST); '::' listens on IPv4 and IPv6.")
    var host: String = Environment.string("SEMADJUST_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (env SEMADJUST_PORT).")
    var port: UInt16 = Environment.integer("SEMADJUST_PORT").map(UInt16.init) ?? 8080

    @Option(help: "Most simultaneous connections (env SEMADJUST_MAX_CONNECTIONS).")
    var maxConnections: Int = Environment.integer("SEMADJUST_MAX_CONNECTIONS") ?? 1024

    @Option(help: "Largest request body in bytes (env SEMADJUST_MAX_BODY_BYTES).")
    var maxBodyBytes: Int = Environment.integer("SEMADJUST_MAX_BODY_BYTES") ?? 64 * 1024 * 1024

    @Option(help: "Seconds in-flight requests get to finish after SIGTERM (env SEMADJUST_SHUTDOWN_GRACE).")
    var shutdownGrace: Int = Environment.integer("SEMADJUST_SHUTDOWN_GRACE") ?? 25

    @Option(help: "Origins allowed to call the API from a browser, comma-separated, or * (env SEMADJUST_CORS_ORIGINS).")
    var corsOrigins: String = Environment.string("SEMADJUST_CORS_ORIGINS") ?? ""

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env SEMADJUST_LOG_LEVEL).")
    var logLevel: String = Environment.string("SEMADJUST_LOG_LEVEL") ?? "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        var logger = Logger(label: "semadjust")
        logger.logLevel = level
        ResourceLimits.raiseOpenFileLimit()

        var configuration = HTTPServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxConnections = maxConnections
        configuration.limits.maxBodyBytes = maxBodyBytes
        configuration.serverName = "semadjust"

        let reference = ServerReference()
        let routes = ServiceRoutes(
            corsOrigins: corsOrigins.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty },
            openConnections: { reference.connectionCount })
        let server = HTTPServer(configuration: configuration, responder: routes.responder(), logger: logger)
        reference.set(server)
        try await server.run(gracePeriod: .seconds(shutdownGrace))
    }
}
