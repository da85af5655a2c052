import AdjustService
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
    private let gauges: [(Gauge, @Sendable () -> Double)]
    private let scrapedCounters: [ScrapedCounter]

    /// Latency buckets from 1 ms (health checks) to 30 s (a 24-megapixel photo under load).
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// Stage latency buckets: a 512-px photo's stages take milliseconds, a 24-megapixel one seconds.
    static let stageBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(15),
    ]

    /// - Parameters:
    ///   - workers, cache: read at scrape time for the queue and cache gauges (absent without models).
    init(
        knownRoutes: Set<String>, openConnections: @escaping @Sendable () -> Int,
        workers: WorkerPool? = nil, cache: PhotoCache? = nil, styles: LiveStyleCatalog? = nil
    ) {
        self.knownRoutes = knownRoutes
        self.openConnections = openConnections
        connectionsGauge = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "semadjust", subsystem: "http", metricName: "open_connections", unitName: "",
            helpText: "Client connections open now."))
        var gauges: [(Gauge, @Sendable () -> Double)] = []
        let registry = self.registry
        func gauge(_ subsystem: String, _ name: String, _ help: String, _ read: @escaping @Sendable () -> Double) {
            gauges.append((registry.makeGauge(descriptor: MetricNameDescriptor(
                namespace: "semadjust", subsystem: subsystem, metricName: name, unitName: "", helpText: help)), read))
        }
        var counters: [ScrapedCounter] = []
        if let workers {
            gauge("inference", "queue_depth", "Jobs waiting for an inference worker.") { Double(workers.statistics.queued) }
            gauge("inference", "running", "Jobs running on inference workers.") { Double(workers.statistics.running) }
            gauge("inference", "workers", "Inference worker threads.") { Double(workers.workerCount) }
            gauge("idle_work", "waiting", "Idle-time jobs (preset alternatives) waiting for an idle worker.") {
                Double(workers.idleStatistics.queued)
            }
            gauge("idle_work", "running", "Idle-time jobs running now.") { Double(workers.idleStatistics.running) }
            counters.append(ScrapedCounter(registry.makeCounter(descriptor: MetricNameDescriptor(
                namespace: "semadjust", subsystem: "idle_work", metricName: "finished", unitName: "total",
                helpText: "Idle-time jobs finished since start.")), read: { workers.idleStatistics.completed }))
        }
        scrapedCounters = counters
        if let cache {
            gauge("cache", "entries", "Analysed photos kept for image_id re-renders.") { Double(cache.statistics.entries) }
            gauge("cache", "bytes", "Bytes held by the photo cache.") { Double(cache.statistics.bytes) }
            gauge("cache", "budget_bytes", "The photo cache's byte budget.") { Double(cache.byteBudget) }
        }
        if let styles {
            gauge("models", "styles", "Styles served now (the models folder is reloaded on SIGHUP and when its files change).") {
                Double(styles.current.styles.count)
            }
            gauge("models", "failed_files", "Model files in the folder that did not load (the style they would replace stays in force).") {
                Double(styles.current.skipped.count)
            }
        }
        self.gauges = gauges
    }

    /// One reload of the models folder that changed something: styles added, replaced or removed, files that failed.
    func recordModelReload(_ report: LiveStyleCatalog.ReloadReport) {
        for (change, count) in [("added", report.added.count), ("replaced", report.replaced.count),
                                ("removed", report.removed.count), ("failed", report.failed.count)] where count > 0 {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "semadjust", subsystem: "models", metricName: "changes", unitName: "total",
                    helpText: "Model files loaded, replaced, removed or refused by reloads of the models folder, by change."),
                labels: [("change", change)]
            ).increment(by: Int64(count))
        }
    }

    /// Time per pipeline stage (decode, resize, context, map, render, encode) of one adjustment.
    func recordStages(_ stages: [AdjustResult.Stage]) {
        for stage in stages {
            registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    namespace: "semadjust", subsystem: "pipeline", metricName: "stage_duration", unitName: "seconds",
                    helpText: "Time spent in each stage of an adjustment."),
                labels: [("stage", stage.name)],
                buckets: Self.stageBuckets
            ).record(stage.duration)
        }
    }

    /// One `image_id` lookup: found, or unknown/evicted/expired.
    func recordCacheLookup(hit: Bool) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "semadjust", subsystem: "cache", metricName: "lookups", unitName: "total",
                helpText: "image_id lookups in the photo cache, by result."),
            labels: [("result", hit ? "hit" : "miss")]
        ).increment()
    }

    /// One re-render: its changed pixels copied from the preset alternatives, or rendered.
    func recordRerender(pickedFromAlternatives: Bool) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "semadjust", subsystem: "rerender", metricName: "requests", unitName: "total",
                helpText: "image_id re-renders, by how their changed pixels were made."),
            labels: [("pixels", pickedFromAlternatives ? "copied" : "rendered")]
        ).increment()
    }

    /// The route of `path` as a label: known paths as they are, a photo's path under one pattern
    /// (one label per image id would grow without bound), anything else "other".
    func routeLabel(for path: String) -> String {
        if knownRoutes.contains(path) { return path }
        if path.hasPrefix("/v1/images/"), !path.dropFirst(11).contains("/") { return "/v1/images/{id}" }
        return "other"
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

    /// The exposition text, with point-in-time gauges and scraped counters refreshed first.
    func render() -> [UInt8] {
        connectionsGauge.set(Double(openConnections()))
        for (gauge, read) in gauges { gauge.set(read()) }
        for counter in scrapedCounters { counter.update() }
        return registry.emitToBuffer()
    }
}
