import Prometheus

/// The service's Prometheus metrics, served at `/metrics`.
///
/// Route labels come from a fixed list (anything else is `other`), so a scanner probing random
/// paths cannot blow up the number of time series.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let knownRoutes: Set<String>
    private let openConnections: @Sendable () -> Int
    private let connectionsGauge: Gauge

    /// Latency buckets from 1 ms (health checks) to 30 s (a 24-megapixel photo under load).
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    init(knownRoutes: Set<String>, openConnections: @escaping @Sendable () -> Int) {
        self.knownRoutes = knownRoutes
        self.openConnections = openConnections
        connectionsGauge = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "semadjust", subsystem: "http", metricName: "open_connections", unitName: "",
            helpText: "Client connections open now."))
    }

    func routeLabel(for path: String) -> String {
        knownRoutes.contains(path) ? path : "other"
    }

    func recordRequest(path: String, method: String, status: Int, duration: Duration) {
        let route = routeLabel(for: path)
        let methodLabel = ["GET", "HEAD", "POST", "OPTIONS"].contains(method) ? method : "other"
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "semadjust", subsystem: "http", metricName: "requests", unitName: "total",
                helpText: "HTTP requests answered, by route, method and status."),
            labels: [("route", route), ("method", methodLabel), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "semadjust", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                helpText: "Time from request head to response handed to the connection, by route."),
            labels: [("route", route)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// The exposition text, with point-in-time gauges refreshed first.
    func render() -> [UInt8] {
        connectionsGauge.set(Double(openConnections()))
        return registry.emitToBuffer()
    }
}
