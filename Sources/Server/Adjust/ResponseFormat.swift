import AdjustService
import Foundation
import HTTPCore

/// What `POST /v1/adjust` answers with, chosen from `Accept`.
///
/// Default (no Accept, `*/*`, `image/*`): the JPEG alone, so `curl -o out.jpg` just works; the
/// map's K, coverage and timings ride along in headers. `application/json`: image and map as
/// base64 with all metadata, for web front-ends.
enum ResponseFormat: Equatable {
    case jpeg
    case json

    static func negotiate(accept: String?) throws(HTTPError) -> ResponseFormat {
        guard let accept, !accept.isEmpty else { return .jpeg }
        var best: (format: ResponseFormat, q: Double)?
        for element in accept.split(separator: ",") {
            let parts = element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let range = parts.first else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            guard q > 0 else { continue }
            let candidates: [ResponseFormat] = switch range {
            case "image/jpeg", "image/*", "*/*": [.jpeg]
            case "application/json", "application/*": [.json]
            default: []
            }
            for format in candidates where best == nil || q > best!.q { best = (format, q) }
        }
        guard let best else {
            throw HTTPError(.notAcceptable, detail: "this endpoint answers image/jpeg or application/json; Accept was '\(accept)'")
        }
        return best.format
    }

    func response(for result: AdjustResult, style: String) -> HTTPResponse {
        let timing = result.stages
            .map { "\($0.name);dur=\(String(format: "%.1f", Double($0.duration.components.attoseconds) / 1e15 + Double($0.duration.components.seconds) * 1000))" }
            .joined(separator: ", ")
        switch self {
        case .jpeg:
            var response = HTTPResponse.bytes(result.jpeg, contentType: "image/jpeg")
            response.headers.add("X-Style", style)
            response.headers.add("X-Map-K", String(result.presetNames.count))
            response.headers.add("X-Map-Coverage", result.coverage.map { String(format: "%.4f", $0) }.joined(separator: ","))
            response.headers.add("Server-Timing", timing)
            return response
        case .json:
            var json = JSONWriter()
            json.beginObject()
            json.member("style", style)
            json.member("width", result.width)
            json.member("height", result.height)
            json.member("K", result.presetNames.count)
            json.member("presets", result.presetNames)
            json.key("coverage")
            json.beginArray()
            for value in result.coverage { json.value(value) }
            json.endArray()
            json.member("user_map", result.usedUserMap)
            json.member("image_type", "image/jpeg")
            json.member("image", Data(result.jpeg).base64EncodedString())
            json.member("map_type", "image/png")
            json.member("map", Data(result.mapPNG).base64EncodedString())
            json.key("timings_ms")
            json.beginObject()
            for stage in result.stages {
                let c = stage.duration.components
                json.member(stage.name, Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15)
            }
            json.endObject()
            json.endObject()
            var response = HTTPResponse.bytes(json.bytes, contentType: "application/json")
            response.headers.add("Server-Timing", timing)
            return response
        }
    }
}
