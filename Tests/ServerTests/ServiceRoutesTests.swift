import HTTPCore
import Testing
@testable import Server

struct ServiceRoutesTests {
    @Test func metricsCountRequestsByRouteAndStatusWithBoundedLabels() async throws {
        let routes = ServiceRoutes(corsOrigins: [], openConnections: { 3 })
        let responder = routes.responder()
        _ = try await responder.respond(to: HTTPRequest(method: .get, target: "/healthz"))
        _ = try await responder.respond(to: HTTPRequest(method: .get, target: "/healthz"))
        for probe in ["/wp-admin", "/.env", "/a/b/c"] {
            await #expect(throws: HTTPError.self) { try await responder.respond(to: HTTPRequest(method: .get, target: probe)) }
        }
        let response = try await responder.respond(to: HTTPRequest(method: .get, target: "/metrics"))
        guard case .bytes(let bytes) = response.body else { Issue.record("no body"); return }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(text.contains(#"semadjust_http_requests_total{route="/healthz",method="GET",status="200"} 2"#))
        // Unknown paths share one label value, whatever was probed.
        #expect(text.contains(#"semadjust_http_requests_total{route="other",method="GET",status="404"} 3"#))
        #expect(!text.contains("wp-admin"))
        #expect(text.contains(#"semadjust_http_request_duration_seconds_count{route="/healthz"} 2"#))
        #expect(text.contains("semadjust_http_open_connections 3"))
    }

    /// With an admin listener, /metrics is served there and the public port does not know it.
    @Test func metricsMoveToTheAdminListener() async throws {
        let routes = ServiceRoutes(corsOrigins: [], servesMetrics: false, openConnections: { 0 })
        await #expect(throws: HTTPError.self) {
            try await routes.responder().respond(to: HTTPRequest(method: .get, target: "/metrics"))
        }
        let admin = routes.adminResponder()
        let metrics = try await admin.respond(to: HTTPRequest(method: .get, target: "/metrics"))
        guard case .bytes(let bytes) = metrics.body else { Issue.record("no body"); return }
        #expect(String(decoding: bytes, as: UTF8.self).contains("semadjust_http_open_connections"))
        #expect(try await admin.respond(to: HTTPRequest(method: .get, target: "/healthz")).status.code == 200)
        await #expect(throws: HTTPError.self) {
            try await admin.respond(to: HTTPRequest(method: .post, target: "/v1/adjust"))
        }
    }

    @Test func corsOriginsFromConfiguration() async throws {
        let routes = ServiceRoutes(corsOrigins: ["https://app.example"], openConnections: { 0 })
        let response = try await routes.responder().respond(
            to: HTTPRequest(method: .get, target: "/healthz", headers: ["Origin": "https://app.example"]))
        #expect(response.headers["Access-Control-Allow-Origin"] == "https://app.example")
    }
}
