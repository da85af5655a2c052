import HTTPCore

/// Counts and times every request answered by the wrapped responder, errors included.
struct MetricsResponder<Inner: HTTPResponder>: HTTPResponder {
    let inner: Inner
    let metrics: ServiceMetrics

    func respond(to request: HTTPRequest) async throws -> HTTPResponse {
        let start = ContinuousClock.now
        do {
            let response = try await inner.respond(to: request)
            metrics.recordRequest(path: request.path, method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - start)
            return response
        } catch let error as HTTPError {
            metrics.recordRequest(path: request.path, method: request.method.rawValue, status: error.status.code, duration: ContinuousClock.now - start)
            throw error
        } catch {
            metrics.recordRequest(path: request.path, method: request.method.rawValue, status: 500, duration: ContinuousClock.now - start)
            throw error
        }
    }
}
