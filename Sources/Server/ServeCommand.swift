import AdjustService
import ArgumentParser
import Foundation
import HTTPCore
import Logging

/// `semadjust serve`: runs the HTTP service until SIGTERM/SIGINT, then drains gracefully.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP service.")

    @Option(help: "Address to listen on (env SEMADJUST_HOST); '::' listens on IPv4 and IPv6.")
    var host: String = Environment.string("SEMADJUST_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (env SEMADJUST_PORT).")
    var port: UInt16 = Environment.port("SEMADJUST_PORT") ?? 8080

    @Option(help: "Most simultaneous connections (env SEMADJUST_MAX_CONNECTIONS).")
    var maxConnections: Int = Environment.integer("SEMADJUST_MAX_CONNECTIONS") ?? 1024

    @Option(help: "Largest request body in bytes, the form's fields and map included (env SEMADJUST_MAX_BODY_BYTES).")
    var maxBodyBytes: Int = Environment.integer("SEMADJUST_MAX_BODY_BYTES") ?? 64 * 1024 * 1024

    @Option(name: .customLong("max-upload-bytes"), help: "Largest photo (or map) file in bytes, a form part or a body of its own; at most --max-body-bytes; default 60 MiB, or --max-body-bytes when that is smaller (env SEMADJUST_MAX_UPLOAD_BYTES).")
    var maxUploadBytesOption: Int? = Environment.integer("SEMADJUST_MAX_UPLOAD_BYTES")

    /// The upload limit in force: as given, else 60 MiB within the body limit.
    var maxUploadBytes: Int { maxUploadBytesOption ?? min(60 * 1024 * 1024, maxBodyBytes) }

    @Option(help: "Most pixels a photo may declare, width × height, refused before decoding (env SEMADJUST_MAX_PIXELS).")
    var maxPixels: Int = Environment.integer("SEMADJUST_MAX_PIXELS") ?? PhotoSizeLimits.standard.maxPixels

    @Option(help: "Longest side a photo may declare, refused before decoding (env SEMADJUST_MAX_SIDE).")
    var maxSide: Int = Environment.integer("SEMADJUST_MAX_SIDE") ?? PhotoSizeLimits.standard.maxSide

    @Option(help: "Seconds in-flight requests get to finish after SIGTERM (env SEMADJUST_SHUTDOWN_GRACE).")
    var shutdownGrace: Int = Environment.integer("SEMADJUST_SHUTDOWN_GRACE") ?? 25

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Seconds between looks at the models folder: a new, changed or removed model file is loaded (once it has stopped changing) or dropped without a restart; SIGHUP looks at once; 0 only on SIGHUP (env SEMADJUST_MODELS_POLL).")
    var modelsPoll: Int = Environment.integer("SEMADJUST_MODELS_POLL") ?? 2

    @Option(help: "Inference jobs run at once; default one per two cores (env SEMADJUST_WORKERS).")
    var workers: Int = Environment.integer("SEMADJUST_WORKERS") ?? max(1, ProcessInfo.processInfo.activeProcessorCount / 2)

    @Option(help: "Requests that may wait for a worker before new ones get 503 (env SEMADJUST_QUEUE).")
    var queue: Int = Environment.integer("SEMADJUST_QUEUE") ?? 8

    @Option(help: "Seconds a request may wait for a worker (env SEMADJUST_QUEUE_DEADLINE).")
    var queueDeadline: Int = Environment.integer("SEMADJUST_QUEUE_DEADLINE") ?? 30

    @Option(help: "Origins allowed to call the API from a browser, comma-separated, or * (env SEMADJUST_CORS_ORIGINS).")
    var corsOrigins: String = Environment.string("SEMADJUST_CORS_ORIGINS") ?? ""

    @Option(help: "Request-body bytes held at once (uploads being read, forms waiting for a worker); an upload that would pass it is answered 503 before its body is read (env SEMADJUST_UPLOAD_BUDGET_BYTES).")
    var uploadBudgetBytes: Int = Environment.integer("SEMADJUST_UPLOAD_BUDGET_BYTES") ?? 512 * 1024 * 1024

    @Option(help: "Bytes of analysed photos kept for image_id re-renders (env SEMADJUST_CACHE_BYTES).")
    var cacheBytes: Int = Environment.integer("SEMADJUST_CACHE_BYTES") ?? 512 * 1024 * 1024

    @Flag(inversion: .prefixedNo, help: "Render each cached photo under its other presets while the workers are idle, so that a re-render with a repainted label map copies pixels instead of rendering them; costs 3 bytes per pixel and extra preset in the cache (env SEMADJUST_PRERENDER=0 turns it off).")
    var prerender: Bool = Environment.flag("SEMADJUST_PRERENDER") ?? true

    @Option(help: "Seconds an analysed photo stays re-renderable (env SEMADJUST_CACHE_TTL).")
    var cacheTTL: Int = Environment.integer("SEMADJUST_CACHE_TTL") ?? 3600

    @Option(help: "API key file (see `semadjust api-key`): when given, POST /v1/adjust and DELETE /v1/images/{id} need 'Authorization: Bearer <key>', and each key finds only its own photos; re-read when it changes (env SEMADJUST_API_KEYS).")
    var apiKeys: String?

    /// `--api-keys`, else the environment's.
    private var apiKeyFile: String? { apiKeys ?? Environment.string("SEMADJUST_API_KEYS") }

    @Option(help: "Requests a minute per API key, unless its line says rate=N/min (env SEMADJUST_API_KEY_RATE).")
    var apiKeyRate: Int = Environment.integer("SEMADJUST_API_KEY_RATE") ?? 120

    @Option(help: "Requests per API key at once, unless its line says burst=N (env SEMADJUST_API_KEY_BURST).")
    var apiKeyBurst: Int = Environment.integer("SEMADJUST_API_KEY_BURST") ?? 20

    @Option(help: "Serve /metrics (and /healthz) on this port only, not on the public one: an admin listener for the operator's network (env SEMADJUST_ADMIN_PORT; absent: /metrics is on the public port).")
    var adminPort: UInt16?

    @Option(help: "Address of the admin listener (env SEMADJUST_ADMIN_HOST; default: --host).")
    var adminHost: String?

    /// `--admin-port`, else the environment's.
    private var adminListenerPort: UInt16? { adminPort ?? Environment.port("SEMADJUST_ADMIN_PORT") }

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env SEMADJUST_LOG_LEVEL).")
    var logLevel: String = Environment.string("SEMADJUST_LOG_LEVEL") ?? "info"

    @Option(help: "Log format: text, or json (one object per line, for containers) (env SEMADJUST_LOG_FORMAT).")
    var logFormat: String = Environment.string("SEMADJUST_LOG_FORMAT") ?? "text"

    @Option(help: "Reverse proxies whose X-Forwarded-For / Forwarded headers are believed, comma-separated IPs or CIDRs, e.g. 10.0.0.0/8,::1 (env SEMADJUST_TRUSTED_PROXIES).")
    var trustedProxies: String = Environment.string("SEMADJUST_TRUSTED_PROXIES") ?? ""

    /// `trustedProxies` parsed; nil entries are the malformed ones `validate` reports.
    private var trustedProxyEntries: [(text: String, network: IPNetwork?)] {
        trustedProxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { ($0, IPNetwork($0)) }
    }

    func validate() throws {
        if let bad = trustedProxyEntries.first(where: { $0.network == nil }) {
            throw ValidationError("trusted proxy '\(bad.text)' is not an IP address or CIDR block")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level '\(logLevel)'") }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("log format must be text or json, not '\(logFormat)'") }
        guard cacheBytes >= 0, cacheTTL > 0 else { throw ValidationError("cache bytes must be ≥ 0 and cache TTL > 0") }
        guard modelsPoll >= 0 else { throw ValidationError("--models-poll must be ≥ 0 seconds") }
        guard workers > 0, queue >= 0 else { throw ValidationError("workers must be > 0 and queue ≥ 0") }
        for name in ["SEMADJUST_PORT", "SEMADJUST_ADMIN_PORT"] where Environment.string(name) != nil && Environment.port(name) == nil {
            throw ValidationError("\(name) must be a port number (0...65535), not '\(Environment.string(name) ?? "")'")
        }
        guard apiKeyRate > 0, apiKeyBurst > 0 else { throw ValidationError("API key rate and burst must be > 0") }
        if let apiKeys = apiKeyFile {
            do {
                _ = try APIKeyStore(path: apiKeys, defaults: apiKeyDefaults)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        guard maxUploadBytes > 0, maxUploadBytes <= maxBodyBytes else {
            throw ValidationError("--max-upload-bytes (\(maxUploadBytes)) must be between 1 and --max-body-bytes (\(maxBodyBytes))")
        }
        guard maxPixels > 0, maxSide > 0 else { throw ValidationError("--max-pixels and --max-side must be > 0") }
        guard uploadBudgetBytes >= maxBodyBytes else {
            throw ValidationError("the upload budget (\(uploadBudgetBytes) bytes) must hold at least one largest body (\(maxBodyBytes))")
        }
    }

    private var apiKeyDefaults: APIKeyFile.Defaults {
        .init(rate: RateLimit(perMinute: apiKeyRate, burst: apiKeyBurst))
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        if logFormat == "json" {
            LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        }
        var logger = Logger(label: "semadjust")
        logger.logLevel = level
        StartupPolicy.prepareToServe()

        var configuration = HTTPServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxConnections = maxConnections
        configuration.limits.maxBodyBytes = maxBodyBytes
        configuration.serverName = "semadjust"
        configuration.trustedProxies = trustedProxyEntries.compactMap(\.network)

        let jobThreads = ThreadBudget.apply(cores: ProcessInfo.processInfo.activeProcessorCount, workers: workers)
        let styles = LiveStyleCatalog(folder: modelOptions.folder(threadsPerJob: jobThreads, limits: PhotoSizeLimits(maxPixels: maxPixels, maxSide: maxSide)))
        let catalog = styles.current
        for (file, reason) in catalog.skipped { logger.warning("model \(file) not loaded: \(reason)") }
        logger.info("styles: \(catalog.ids.joined(separator: ", ")) (from \(modelOptions.source))")
        if catalog.styles.isEmpty { logger.warning("no models loaded from \(modelOptions.source): /readyz answers 503") }
        logger.info("\(workers) inference worker(s) × \(jobThreads) thread(s), queue \(queue); \(StartupPolicy.blasSummary)")
        let pool = WorkerPool(workerCount: workers, queueCapacity: queue)
        var adjust = AdjustRoutes(
            styles: styles, workers: pool, cache: PhotoCache(byteBudget: cacheBytes, maxAge: .seconds(cacheTTL)),
            maxImageBytes: maxUploadBytes, queueDeadline: .seconds(queueDeadline), prerendersAlternatives: prerender,
            uploads: UploadBudget(bytes: uploadBudgetBytes))
        var keyWatch: Task<Void, Never>?
        if let apiKeys = apiKeyFile {
            let store = try APIKeyStore(path: apiKeys, defaults: apiKeyDefaults)
            let access = AccessControl(keys: store)
            adjust.access = access
            logger.info("API keys required: \(store.keys.count) key(s) from \(apiKeys)")
            keyWatch = Task.detached { [logger] in await Self.watch(access, logger: logger) }
        }
        defer { keyWatch?.cancel() }

        let reference = ServerReference()
        let routes = ServiceRoutes(
            corsOrigins: corsOrigins.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty },
            adjust: adjust, servesMetrics: adminListenerPort == nil,
            openConnections: { reference.connectionCount })
        let modelWatch = ModelFolderWatch(styles: styles, every: modelsPoll == 0 ? nil : .seconds(modelsPoll)) { [logger, metrics = routes.metrics] report in
            metrics.recordModelReload(report)
            Self.log(report, logger: logger)
        }
        defer { modelWatch.stop() }
        let server = HTTPServer(configuration: configuration, responder: routes.responder(), logger: logger)
        reference.set(server)
        var admin: HTTPServer?
        if let adminListenerPort {
            var adminConfiguration = HTTPServerConfiguration()
            adminConfiguration.host = adminHost ?? Environment.string("SEMADJUST_ADMIN_HOST") ?? host
            adminConfiguration.port = adminListenerPort
            adminConfiguration.maxConnections = 64
            adminConfiguration.serverName = "semadjust"
            let adminServer = HTTPServer(configuration: adminConfiguration, responder: routes.adminResponder(), logger: logger)
            try adminServer.start()
            admin = adminServer
        }

        // Queued requests are answered 503 + Retry-After the moment SIGTERM arrives, not left to a
        // queue deadline (30 s) that outlasts the grace (25 s); running ones finish within the grace.
        try await server.run(gracePeriod: .seconds(shutdownGrace), whenDraining: { pool.shutdown() })
        // Scrapes go on through the drain; the admin listener stops last.
        await admin?.shutdown(gracePeriod: .seconds(1))
    }

    /// What a reload of the models folder changed, in the log (nothing when it changed nothing).
    private static func log(_ report: LiveStyleCatalog.ReloadReport, logger: Logger) {
        for id in report.added { logger.notice("style \(id) loaded") }
        for id in report.replaced { logger.notice("style \(id) reloaded from its changed model file") }
        for id in report.removed { logger.notice("style \(id) removed") }
        for failure in report.failed {
            logger.error("model \(failure.file) not loaded, the style it would replace stays in force: \(failure.reason)")
        }
    }

    /// Re-reads the key file every two seconds: a key added or revoked counts from the next request.
    private static func watch(_ access: AccessControl, logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(2))
            switch access.keys.reloadIfChanged() {
            case .unchanged: break
            case .reloaded(let count):
                access.limiter.retain(Set(access.keys.keys.map(\.name)))
                logger.notice("API keys reloaded: \(count) key(s)")
            case .failed(let reason):
                logger.error("API keys not reloaded, the previous ones stay in force: \(reason)")
            }
        }
    }
}
