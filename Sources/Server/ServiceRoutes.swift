import AdjustService
import HTTPCore
import Locks

/// The service's route table and the layers around it: CORS outside (so error answers carry
/// CORS headers too), then metrics, then the router.
struct ServiceRoutes {
    static let knownRoutes: Set<String> = [
        "/", "/ui/app.js", "/ui/style.css", "/healthz", "/readyz", "/metrics", "/v1/styles", "/v1/adjust", "/openapi.yaml",
    ]

    let metrics: ServiceMetrics
    let corsPolicy: CORSPolicy
    let adjust: AdjustRoutes?
    /// False when `/metrics` has its own listener (`serve --admin-port`): the public port then
    /// answers 404 there, and only the operator's network reaches the service's internals.
    let servesMetrics: Bool

    init(corsOrigins: [String], adjust: AdjustRoutes? = nil, servesMetrics: Bool = true,
         openConnections: @escaping @Sendable () -> Int) {
        metrics = ServiceMetrics(
            knownRoutes: Self.knownRoutes, openConnections: openConnections, workers: adjust?.workers, cache: adjust?.cache,
            styles: adjust?.styles)
        var cors = CORSPolicy(origins: corsOrigins.contains("*") ? .any : .list(corsOrigins))
        // A page sends its API key and deletes its photos cross-origin too.
        cors.allowedMethods.append(.delete)
        cors.allowedHeaders.append("Authorization")
        cors.exposedHeaders += ResponseFormat.answerHeaders.filter { !cors.exposedHeaders.contains($0) }
        corsPolicy = cors
        self.adjust = adjust
        self.servesMetrics = servesMetrics
    }

    func responder() -> some HTTPResponder {
        var router = Router()
        router.get("/healthz") { _ in
            .text("ok\n")
        }
        let metrics = self.metrics
        if servesMetrics { Self.registerMetrics(metrics, in: &router) }
        router.get("/openapi.yaml") { _ in
            .bytes(OpenAPIDocument.bytes, contentType: "application/yaml")
        }
        adjust?.register(in: &router, metrics: metrics)
        WebRoutes().register(in: &router)
        return CORSResponder(MetricsResponder(inner: router, metrics: metrics), policy: corsPolicy)
    }

    /// The admin listener's routes: `/metrics` and `/healthz`, nothing a client uses.
    func adminResponder() -> some HTTPResponder {
        var router = Router()
        router.get("/healthz") { _ in .text("ok\n") }
        Self.registerMetrics(metrics, in: &router)
        return router
    }

    private static func registerMetrics(_ metrics: ServiceMetrics, in router: inout Router) {
        router.get("/metrics") { _ in
            .bytes(metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}

/// The server, known only once it exists, for metrics that read its state at scrape time.
final class ServerReference: Sendable {
    private let server = LockedValue<HTTPServer?>(nil)

    func set(_ value: HTTPServer) { server.withLock { $0 = value } }

    var connectionCount: Int { server.withLock { $0?.connectionCount ?? 0 } }
}
