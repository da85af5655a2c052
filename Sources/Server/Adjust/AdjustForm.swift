import AdjustService
import Foundation
import HTTPCore

/// The fields of a `POST /v1/adjust` request, checked for shape (names, types, which go together);
/// their values are the pipeline's to judge. They come as a multipart form and the query string
/// (a field in both must say the same: clients generated from the spec may send an option both
/// ways), or — for a photo posted as the body itself (`Content-Type: image/*`) — the query alone.
struct AdjustForm {
    enum Source {
        /// A new photo's bytes.
        case image([UInt8])
        /// A photo analysed earlier, to re-render with another map.
        case cached(ImageID)
    }

    static let fields = ["image", "image_id", "style", "map", "quality", "max_side", "refine", "format", "strength"]
    /// The fields a query string may carry (the photo and a map are binary; an image_id goes with a form).
    static let queryFields = ["style", "quality", "max_side", "refine", "format", "strength"]

    let source: Source
    let styleID: String?
    let options: AdjustOptions
    /// The `format` field, when given: it decides the image format over `Accept`'s image types.
    let requestedFormat: OutputFormat?

    init(parts: [MultipartPart], query: [(name: String, value: String)] = []) throws(HTTPError) {
        var image: [UInt8]?
        var imageID: String?
        var fields = TextFields()
        var mapPNG: [UInt8]?
        var seen: Set<String> = []
        let fromQuery = try Self.queryValues(query)
        for (name, value) in fromQuery { try fields.set(name, value) }
        for part in parts {
            guard let name = part.name, Self.fields.contains(name) else {
                throw HTTPError(.badRequest, detail: "unknown form field '\(part.name ?? "")'; accepted: \(Self.fields.joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else {
                throw HTTPError(.badRequest, detail: "the form field '\(name)' is given twice")
            }
            if let queried = fromQuery.first(where: { $0.name == name }) {
                guard queried.value.trimmingCharacters(in: .whitespaces) == part.text.trimmingCharacters(in: .whitespaces) else {
                    throw HTTPError(.badRequest, detail: "'\(name)' is given in the query string and the form with different values")
                }
                continue
            }
            switch name {
            case "image": image = part.body
            case "image_id": imageID = part.text.trimmingCharacters(in: .whitespaces)
            case "map": mapPNG = part.body
            default: try fields.set(name, part.text)
            }
        }
        var options = fields.options
        options.mapPNG = mapPNG
        switch (image, imageID) {
        case (let image?, nil):
            guard !image.isEmpty else { throw HTTPError(.badRequest, detail: "the 'image' field is empty") }
            source = .image(image)
        case (nil, let text?):
            guard let id = ImageID(text) else {
                throw HTTPError(.badRequest, detail: "image_id must be the 32 hex digits an earlier response gave, got '\(text.prefix(64))'")
            }
            if options.maxSide != nil {
                throw HTTPError(.badRequest, detail: "max_side applies to a new image only, not together with image_id")
            }
            source = .cached(id)
        case (nil, nil):
            throw HTTPError(.badRequest, detail: "the form has no 'image' field (a photo file) and no 'image_id'")
        case (.some, .some):
            throw HTTPError(.badRequest, detail: "send either 'image' or 'image_id', not both")
        }
        self.styleID = fields.styleID
        self.options = options
        self.requestedFormat = fields.format
    }

    /// A photo posted as the body, its options in the query string (`?style=xpro&strength=0.6`).
    init(body: [UInt8], query: [(name: String, value: String)]) throws(HTTPError) {
        guard !body.isEmpty else { throw HTTPError(.badRequest, detail: "the body is empty; it should be the photo's bytes") }
        var fields = TextFields()
        for (name, value) in try Self.queryValues(query) { try fields.set(name, value) }
        source = .image(body)
        styleID = fields.styleID
        options = fields.options
        requestedFormat = fields.format
    }

    /// The query's options, each known and given once.
    private static func queryValues(_ query: [(name: String, value: String)]) throws(HTTPError) -> [(name: String, value: String)] {
        var seen: Set<String> = []
        for (name, _) in query {
            guard queryFields.contains(name) else {
                throw HTTPError(.badRequest, detail: "unknown query parameter '\(name.prefix(64))'; accepted: \(queryFields.joined(separator: ", ")) (image_id and map go into the multipart form)")
            }
            guard seen.insert(name).inserted else {
                throw HTTPError(.badRequest, detail: "the query parameter '\(name)' is given twice")
            }
        }
        return query
    }

    /// The text-valued fields, parsed the same way from a form part or a query parameter.
    private struct TextFields {
        var styleID: String?
        var format: OutputFormat?
        var options = AdjustOptions()

        mutating func set(_ name: String, _ raw: String) throws(HTTPError) {
            let text = raw.trimmingCharacters(in: .whitespaces)
            switch name {
            case "style": styleID = text.isEmpty ? nil : text
            case "quality": options.quality = try Self.integer(text, name: "quality", range: "1 and 100")
            case "max_side":
                let r = AdjustOptions.maxSideRange
                options.maxSide = try Self.integer(text, name: "max_side", range: "\(r.lowerBound) and \(r.upperBound)")
            case "refine": options.refine = try Self.boolean(text, name: "refine")
            case "strength":
                guard let value = Double(text), value.isFinite else {
                    throw HTTPError(.badRequest, detail: "strength must be a number between 0 and 1, got '\(text.prefix(32))'")
                }
                options.strength = value
            case "format":
                guard let value = OutputFormat(rawValue: text.lowercased()) else {
                    throw HTTPError(.badRequest, detail: "format must be one of \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text.prefix(32))'")
                }
                format = value
                options.format = value
            default: break
            }
        }

        /// true/false in any case (what generated clients send: Python's str(True) is "True"), or 1/0.
        private static func boolean(_ text: String, name: String) throws(HTTPError) -> Bool {
            switch text.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: throw HTTPError(.badRequest, detail: "\(name) must be true or false, got '\(text.prefix(32))'")
            }
        }

        private static func integer(_ text: String, name: String, range: String) throws(HTTPError) -> Int {
            guard let value = Int(text) else {
                throw HTTPError(.badRequest, detail: "\(name) must be an integer between \(range), got '\(text.prefix(32))'")
            }
            return value
        }
    }
}
