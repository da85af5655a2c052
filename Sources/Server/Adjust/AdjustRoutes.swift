import AdjustService
import Imaging
import Foundation
import HTTPCore

/// `POST /v1/adjust`, `GET /v1/styles` and `GET /readyz`: HTTP in, `AdjustService` calls out.
struct AdjustRoutes: Sendable {
    let catalog: StyleCatalog
    let workers: WorkerPool
    let maxImageBytes: Int
    /// How long a request may wait for a worker before it is answered 503.
    let queueDeadline: Duration

    static let fields: Set<String> = ["image", "style", "map", "quality"]

    func register(in router: inout Router) {
        router.get("/readyz") { [catalog] _ in
            guard !catalog.styles.isEmpty else {
                throw HTTPError(.serviceUnavailable, detail: "no models are loaded", headers: ["Retry-After": "5"])
            }
            return .text("ready: \(catalog.ids.joined(separator: ", "))\n")
        }
        router.get("/v1/styles") { [catalog] _ in
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
        router.post("/v1/adjust") { request in try await adjust(request) }
    }

    func adjust(_ request: HTTPRequest) async throws -> HTTPResponse {
        let format = try ResponseFormat.negotiate(accept: request.headers["Accept"])
        var limits = MultipartLimits()
        limits.maxParts = 8
        limits.maxPartBytes = maxImageBytes
        let parts = try await request.body.collectMultipartForm(contentType: request.headers["Content-Type"], limits: limits)

        var image: [UInt8]?
        var options = AdjustOptions()
        var styleID: String?
        for part in parts {
            guard let name = part.name, Self.fields.contains(name) else {
                throw HTTPError(.badRequest, detail: "unknown form field '\(part.name ?? "")'; accepted: image, style, map, quality")
            }
            switch name {
            case "image": image = part.body
            case "map": options.mapPNG = part.body
            case "style": styleID = part.text
            case "quality":
                guard let quality = Int(part.text.trimmingCharacters(in: .whitespaces)) else {
                    throw HTTPError(.badRequest, detail: "quality must be an integer between 1 and 100")
                }
                options.quality = quality
            default: break
            }
        }
        guard let image, !image.isEmpty else {
            throw HTTPError(.badRequest, detail: "the form has no 'image' field (a JPEG or PNG file)")
        }
        guard let style = styleID.map({ catalog.style($0) }) ?? catalog.defaultStyle else {
            if catalog.styles.isEmpty { throw HTTPError(.serviceUnavailable, detail: "no models are loaded") }
            throw HTTPError(.unprocessableContent, detail: "unknown style '\(styleID ?? "")'; available: \(catalog.ids.joined(separator: ", "))")
        }

        let result: AdjustResult
        let chosen = options
        do {
            result = try await workers.run(deadline: .now + queueDeadline) { _ in
                try style.pipeline.adjust(imageBytes: image, options: chosen)
            }
        } catch let error as AdmissionError {
            throw Self.httpError(error)
        } catch let error as AdjustError {
            throw Self.httpError(error)
        }
        return format.response(for: result, style: style.id)
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
        switch error {
        case .undecodableImage(let cause):
            // Size limits are the client's to fix by sending less (413); a format we do not read
            // is 415; anything else is a damaged file (422).
            if cause.isSizeLimit {
                HTTPError(.contentTooLarge, detail: error.description)
            } else if case .unrecognizedFormat = cause {
                HTTPError(.unsupportedMediaType, detail: error.description)
            } else {
                HTTPError(.unprocessableContent, detail: error.description)
            }
        case .invalidMap, .invalidOption:
            HTTPError(.unprocessableContent, detail: error.description)
        case .inference, .encoding:
            HTTPError(.internalServerError, detail: error.description)
        }
    }
}
