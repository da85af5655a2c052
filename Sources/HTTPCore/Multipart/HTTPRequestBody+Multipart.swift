extension HTTPRequestBody {
    /// Reads a multipart/form-data body part by part as it streams in, enforcing `limits` while
    /// reading — a part over its limit stops the upload at that byte with 413, not after buffering.
    ///
    /// - Parameter contentType: the request's Content-Type (which carries the boundary).
    /// - Throws: `HTTPError` (400, 413 or 415) describing exactly what was wrong.
    public func collectMultipartForm(contentType: String?, limits: MultipartLimits = MultipartLimits()) async throws -> [MultipartPart] {
        guard let contentType else {
            throw HTTPError(.unsupportedMediaType, detail: "the request has no Content-Type; expected multipart/form-data")
        }
        var collector: MultipartFormCollector
        do {
            collector = try MultipartFormCollector(contentType: contentType, limits: limits)
        } catch {
            throw error.httpError
        }
        for try await chunk in self {
            do { try collector.feed(chunk) } catch { throw error.httpError }
        }
        do { return try collector.finish() } catch { throw error.httpError }
    }
}
