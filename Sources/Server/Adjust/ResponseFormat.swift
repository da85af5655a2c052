import AdjustService
import Foundation
import HTTPCore

/// What `POST /v1/adjust` answers with, chosen from `Accept` and the `format` field.
///
/// Default (no Accept, `*/*`, `image/*`): the JPEG alone, so `curl -o out.jpg` just works; the
/// image id, map K, coverage and timings ride along in headers. `image/png`, `image/webp`,
/// `image/avif`: the photo alone in that format. `application/json`: image and map as base64 with
/// all metadata, for web front-ends. `multipart/mixed`: the image, the map PNG and the metadata as
/// three parts, binary without base64's third more bytes. A `format` form field (or query
/// parameter) fixes the image's format; Accept then only picks among the envelopes that can carry it.
struct ResponseFormat: Equatable {
    enum Envelope: Equatable {
        /// The image alone as the body.
        case image
        case json
        case multipart
    }

    let envelope: Envelope
    let image: OutputFormat

    static let jpeg = ResponseFormat(envelope: .image, image: .jpeg)

    static let offered = "image/jpeg, image/png, image/webp, image/avif, application/json or multipart/mixed"

    /// The best answer `accept` admits (RFC 9110 §12.5.1: each candidate takes the quality of the
    /// most specific range that matches it; ties go to the more specific match, then to the order
    /// below, JPEG first), with the image in `requested` when given, else in the format the image
    /// envelope wins with (JPEG inside JSON and multipart).
    static func negotiate(accept: String?, requested: OutputFormat? = nil) throws(HTTPError) -> ResponseFormat {
        let imageFormats: [OutputFormat] = requested.map { [$0] } ?? [.jpeg, .webp, .avif, .png]
        var candidates = imageFormats.map { (ResponseFormat(envelope: .image, image: $0), $0.mediaType) }
        candidates.append((ResponseFormat(envelope: .json, image: requested ?? .jpeg), "application/json"))
        candidates.append((ResponseFormat(envelope: .multipart, image: requested ?? .jpeg), "multipart/mixed"))
        guard let accept, !accept.isEmpty else { return candidates[0].0 }
        let ranges = MediaRange.parse(accept)
        var best: (format: ResponseFormat, q: Double, specificity: Int)?
        for (format, mediaType) in candidates {
            guard let (q, specificity) = MediaRange.quality(of: mediaType, in: ranges), q > 0 else { continue }
            if let b = best, q < b.q || (q == b.q && specificity <= b.specificity) { continue }
            best = (format, q, specificity)
        }
        guard let best else {
            let offer = requested.map { "a \($0.mediaType) image (format=\($0.rawValue)), application/json or multipart/mixed" } ?? offered
            throw HTTPError(.notAcceptable, detail: "this endpoint answers \(offer); Accept was '\(accept.prefix(200))'")
        }
        return best.format
    }

    /// The headers an answer may carry that a page on another origin needs to read (CORS exposes
    /// them: the personalisation loop needs the image id from a JPEG answer).
    static let answerHeaders = ["X-Image-Id", "X-Style", "X-Map-K", "X-Map-Coverage", "Server-Timing"]

    func response(for result: AdjustResult, style: String, imageID: ImageID?) -> HTTPResponse {
        let timing = result.stages.map { "\($0.name);dur=\(String(format: "%.1f", $0.milliseconds))" }.joined(separator: ", ")
        var response: HTTPResponse
        switch envelope {
        case .image:
            response = .bytes(result.image, contentType: result.format.mediaType)
            response.headers.add("X-Style", style)
            response.headers.add("X-Map-K", String(result.presetNames.count))
            response.headers.add("X-Map-Coverage", result.coverage.map { String(format: "%.4f", $0) }.joined(separator: ","))
        case .json:
            response = .bytes(Self.metadata(result, style: style, imageID: imageID, embedding: true), contentType: "application/json")
        case .multipart:
            let boundary = "semadjust-" + ImageID.random().description
            var body: [UInt8] = []
            func part(_ name: String, _ type: String, filename: String?, _ bytes: [UInt8]) {
                let file = filename.map { "; filename=\"\($0)\"" } ?? ""
                body += Array("--\(boundary)\r\nContent-Type: \(type)\r\nContent-Disposition: inline; name=\"\(name)\"\(file)\r\n\r\n".utf8)
                body += bytes
                body += Array("\r\n".utf8)
            }
            part("metadata", "application/json", filename: nil, Self.metadata(result, style: style, imageID: imageID, embedding: false))
            part("image", result.format.mediaType, filename: "adjusted.\(result.format.fileExtension)", result.image)
            part("map", "image/png", filename: "map.png", result.mapPNG ?? [])
            body += Array("--\(boundary)--\r\n".utf8)
            response = .bytes(body, contentType: "multipart/mixed; boundary=\(boundary)")
        }
        if let imageID { response.headers.add("X-Image-Id", imageID.description) }
        response.headers.add("Server-Timing", timing)
        // The answer depends on Accept: caches must keep the variants apart.
        response.headers.add("Vary", "Accept")
        // A user's photo: no shared or browser cache keeps a copy.
        response.headers.add("Cache-Control", "no-store")
        return response
    }

    /// The JSON document: every field of the result, with image and map base64-embedded or not.
    static func metadata(_ result: AdjustResult, style: String, imageID: ImageID?, embedding: Bool) -> [UInt8] {
        let embedded = embedding ? (result.image.count + (result.mapPNG?.count ?? 0)) / 3 * 4 + 8 : 0
        var json = JSONWriter(capacity: embedded + 1024)
        json.beginObject()
        if let imageID { json.member("image_id", imageID.description) }
        json.member("style", style)
        json.member("width", result.width)
        json.member("height", result.height)
        json.member("K", result.presetNames.count)
        json.member("presets", result.presetNames)
        json.member("colours", PresetColours.hex(count: result.presetNames.count))
        json.key("coverage")
        json.beginArray()
        for value in result.coverage { json.value(value) }
        json.endArray()
        json.member("user_map", result.usedUserMap)
        json.member("image_type", result.format.mediaType)
        json.member("format", result.format.rawValue)
        json.member("strength", result.strength)
        if embedding { json.member("image", base64: result.image) }
        json.member("map_type", "image/png")
        if embedding { json.member("map", base64: result.mapPNG ?? []) }
        json.key("timings_ms")
        json.beginObject()
        for stage in result.stages { json.member(stage.name, stage.milliseconds) }
        json.endObject()
        json.endObject()
        return json.bytes
    }
}
