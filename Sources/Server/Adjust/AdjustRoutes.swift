import AdjustService
import Foundation
import HTTPCore

/// `POST /v1/adjust`, `DELETE /v1/images/{id}`, `GET /v1/styles` and `GET /readyz`: HTTP in,
/// `AdjustService` calls out.
struct AdjustRoutes: Sendable {
    /// The styles, read once per request (a reload meanwhile does not change a request's models).
    let styles: LiveStyleCatalog
    let workers: WorkerPool
    /// Analysed photos kept for the `image_id` re-render loop.
    let cache: PhotoCache
    let maxImageBytes: Int
    /// How long a request may wait for a worker before it is answered 503.
    let queueDeadline: Duration
    /// Whether a cached photo's other presets are rendered in idle time (`PresetAlternativesBuilder`).
    var prerendersAlternatives = true
    /// The request-body bytes held at once; an upload that does not fit is refused before it is read.
    var uploads = UploadBudget(bytes: 512 << 20)
    /// With `--api-keys`: the key every work route needs; nil serves anyone who reaches the port.
    var access: AccessControl?

    init(styles: LiveStyleCatalog, workers: WorkerPool, cache: PhotoCache, maxImageBytes: Int, queueDeadline: Duration,
         prerendersAlternatives: Bool = true, uploads: UploadBudget = UploadBudget(bytes: 512 << 20), access: AccessControl? = nil) {
        self.styles = styles
        self.workers = workers
        self.cache = cache
        self.maxImageBytes = maxImageBytes
        self.queueDeadline = queueDeadline
        self.prerendersAlternatives = prerendersAlternatives
        self.uploads = uploads
        self.access = access
    }

    /// Styles that never change (tests, the catalogue of a folder read once).
    init(catalog: StyleCatalog, workers: WorkerPool, cache: PhotoCache, maxImageBytes: Int, queueDeadline: Duration,
         prerendersAlternatives: Bool = true, uploads: UploadBudget = UploadBudget(bytes: 512 << 20), access: AccessControl? = nil) {
        self.init(styles: LiveStyleCatalog(fixed: catalog), workers: workers, cache: cache, maxImageBytes: maxImageBytes,
                  queueDeadline: queueDeadline, prerendersAlternatives: prerendersAlternatives, uploads: uploads, access: access)
    }

    func register(in router: inout Router, metrics: ServiceMetrics? = nil) {
        router.get("/readyz") { [styles] _ in
            let catalog = styles.current
            guard !catalog.styles.isEmpty else {
                throw HTTPError(.serviceUnavailable, detail: "no models are loaded", headers: ["Retry-After": "5"])
            }
            return .text("ready: \(catalog.ids.joined(separator: ", "))\n")
        }
        router.get("/v1/styles") { [styles] _ in
            let catalog = styles.current
            var json = JSONWriter()
            json.beginObject()
            json.member("default", catalog.defaultStyle?.id ?? "")
            json.key("styles")
            json.beginArray()
            for style in catalog.styles {
                json.beginObject()
                json.member("id", style.id)
                json.member("K", style.presetCount)
                json.member("presets", style.presetNames)
                json.member("colours", PresetColours.hex(count: style.presetCount))
                json.endObject()
            }
            json.endArray()
            json.endObject()
            return .bytes(json.bytes, contentType: "application/json")
        }
        router.post("/v1/adjust") { request in
            let (response, stages) = try await adjust(request, metrics: metrics)
            metrics?.recordStages(stages)
            return response
        }
        router.delete("/v1/images/:id") { request in
            try forget(request)
        }
    }

    /// `DELETE /v1/images/{id}`: the photo is dropped from the cache at once (its re-renders end).
    func forget(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let owner = try access?.admit(request)
        let text = request.pathParameters["id"] ?? ""
        guard let id = ImageID(text) else {
            throw HTTPError(.badRequest, detail: "an image id is the 32 hex digits an earlier response gave, got '\(text.prefix(64))'")
        }
        guard cache.remove(id, owner: owner) else {
            throw HTTPError(.notFound, detail: "no photo is cached under image_id \(id) (unknown, evicted, expired or already deleted)")
        }
        return HTTPResponse(status: .noContent)
    }

    func adjust(_ request: HTTPRequest, metrics: ServiceMetrics? = nil) async throws -> (HTTPResponse, [AdjustResult.Stage]) {
        // Who is asking comes first: a stranger costs no upload budget, no worker and no body read.
        let owner = try access?.admit(request)
        // 406 before the body when Accept admits no answer at all; the form's `format` may narrow it.
        _ = try ResponseFormat.negotiate(accept: request.headers["Accept"])
        // Refusals that need no body come before it is read: a burst of large uploads the service
        // cannot take costs it neither memory nor bandwidth (no 100 Continue either: the connection
        // sends that only when the body is first read).
        if let refusal = workers.refusal() { throw Self.httpError(refusal) }
        // A body without Content-Length (chunked) may be as large as the largest image.
        guard let reservation = uploads.reserve(request.body.expectedLength ?? maxImageBytes) else {
            throw HTTPError(.serviceUnavailable,
                            detail: "the service is receiving \(uploads.inUse >> 20) MiB of uploads already (its budget is \(uploads.capacity >> 20) MiB); try again shortly",
                            headers: ["Retry-After": "1"])
        }
        defer { reservation.release() }
        let form = try await Self.form(of: request, maxImageBytes: maxImageBytes)
        let format = try ResponseFormat.negotiate(accept: request.headers["Accept"], requested: form.requestedFormat)
        var chosen = form.options
        chosen.format = format.image
        chosen.encodesMap = format.envelope != .image  // the image-only answer has no use for the map PNG
        let options = chosen

        switch form.source {
        case .image(let image):
            let style = try resolveStyle(form.styleID, in: styles.current)
            let result = try await run { try style.pipeline.adjust(imageBytes: image, options: options) }
            let id = cache.insert(result.analysis, owner: owner)
            if let id, prerendersAlternatives { scheduleAlternatives(for: id, pipeline: style.pipeline) }
            return (format.response(for: result, style: style.id, imageID: id), result.stages)
        case .cached(let id):
            // Looked up before queueing: an unknown id costs no worker time.
            let cached = cache.lookup(id, owner: owner)
            metrics?.recordCacheLookup(hit: cached != nil)
            guard let analysis = cached else {
                throw HTTPError(.notFound, detail: "no photo is cached under image_id \(id) (unknown, evicted or expired); send the image again")
            }
            if let requested = form.styleID, requested != analysis.styleID {
                throw HTTPError(.unprocessableContent, detail: "image_id \(id) was analysed for style '\(analysis.styleID)'; omit style or send the image again for style '\(requested)'")
            }
            let style = try resolveStyle(analysis.styleID, in: styles.current)
            guard style.pipeline.revision == analysis.modelRevision else {
                // Its context holds the old model's folds: rendering it with the new one would mix two models.
                _ = cache.remove(id, owner: owner)
                throw HTTPError(.notFound, detail: "style '\(style.id)' was reloaded from a new model file since image_id \(id) was analysed; send the image again")
            }
            let result = try await run { try style.pipeline.render(analysis, options: options) }
            metrics?.recordRerender(pickedFromAlternatives: result.pickedFromAlternatives)
            return (format.response(for: result, style: style.id, imageID: id), result.stages)
        }
    }

    /// The request's fields: a multipart form, or a photo posted as the body (`image/*`, or
    /// `application/octet-stream` as some clients label any file) with options in the query string.
    static func form(of request: HTTPRequest, maxImageBytes: Int) async throws -> AdjustForm {
        let contentType = request.headers["Content-Type"] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if mediaType.hasPrefix("image/") || mediaType == "application/octet-stream" {
            return try AdjustForm(body: try await request.body.collect(upTo: maxImageBytes), query: request.queryItems)
        }
        guard mediaType == "multipart/form-data" else {
            throw HTTPError(.unsupportedMediaType, detail: mediaType.isEmpty
                ? "the request has no Content-Type; send multipart/form-data, or the photo itself as image/*"
                : "Content-Type '\(contentType.prefix(100))' is neither multipart/form-data nor an image/* photo posted as the body")
        }
        var limits = MultipartLimits()
        // Room beyond the known fields, so a stray extra field is named precisely (400) rather than
        // counted (413); the parts' bytes are bounded by maxPartBytes anyway.
        limits.maxParts = 16
        limits.maxPartBytes = maxImageBytes
        return try AdjustForm(parts: try await request.body.collectMultipartForm(contentType: contentType, limits: limits),
                              query: request.queryItems)
    }

    private func resolveStyle(_ id: String?, in catalog: StyleCatalog) throws(HTTPError) -> StyleCatalog.Style {
        if catalog.styles.isEmpty {
            throw HTTPError(.serviceUnavailable, detail: "no models are loaded", headers: ["Retry-After": "5"])
        }
        guard let style = id.map({ catalog.style($0) }) ?? catalog.defaultStyle else {
            throw HTTPError(.unprocessableContent, detail: "unknown style '\(id ?? "")'; available: \(catalog.ids.joined(separator: ", "))")
        }
        return style
    }

    /// Queues the cached photo's preset alternatives as idle work: made only while no request needs
    /// the workers (a request stops it within a band; it goes on from there later), they make every
    /// re-render with a repainted label map a copy. The photo is taken from the cache each time the
    /// work runs, so an evicted or expired one ends it, and the pool keeps one such job (the newest
    /// photo's): at most one photo's partial alternatives live outside the cache's budget.
    private func scheduleAlternatives(for id: ImageID, pipeline: AdjustPipeline) {
        guard let photo = cache.peek(id), pipeline.wantsAlternatives(photo) else { return }
        let builder = pipeline.alternativesBuilder()
        workers.runWhenIdle { [cache] flag in
            guard let photo = cache.peek(id), pipeline.wantsAlternatives(photo) else { return true }
            do {
                guard let done = try builder.advance(photo, isCancelled: { flag.isCancelled }) else {
                    return !flag.isCancelled
                }
                cache.replace(id, with: done)
            } catch {
                // The first render of the same photo and plan succeeded; a failure here has no
                // one to report to, and re-renders simply render.
            }
            return true
        }
    }

    /// Runs pipeline work on the worker pool, mapping its refusals and failures to HTTP.
    private func run(_ work: @escaping @Sendable () throws -> AdjustResult) async throws -> AdjustResult {
        do {
            return try await workers.run(deadline: .now + queueDeadline) { _ in try work() }
        } catch let error as AdmissionError {
            throw Self.httpError(error)
        } catch let error as AdjustError {
            throw Self.httpError(error)
        }
    }

    static func httpError(_ error: AdmissionError) -> HTTPError {
        switch error {
        case .overloaded(let seconds):
            HTTPError(.serviceUnavailable, detail: error.description, headers: ["Retry-After": String(seconds)])
        case .deadlineExceeded, .shuttingDown:
            HTTPError(.serviceUnavailable, detail: error.description, headers: ["Retry-After": "1"])
        case .cancelled:
            HTTPError(.serviceUnavailable, detail: error.description)
        }
    }

    static func httpError(_ error: AdjustError) -> HTTPError {
        // Size limits are the client's to fix by sending less (413); a format we do not read is 415;
        // a damaged file, map or option 422.
        switch error.kind {
        case .tooLarge: HTTPError(.contentTooLarge, detail: error.description)
        case .unsupportedFormat: HTTPError(.unsupportedMediaType, detail: error.description)
        case .invalidInput: HTTPError(.unprocessableContent, detail: error.description)
        case .internalFailure: HTTPError(.internalServerError, detail: error.description)
        }
    }
}
