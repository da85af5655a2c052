import AdjustService
import Foundation
import HTTPCore

/// The fields of a `POST /v1/adjust` form, checked for shape (names, types, which go together);
/// their values are the pipeline's to judge.
struct AdjustForm {
    enum Source {
        /// A new photo's bytes.
        case image([UInt8])
        /// A photo analysed earlier, to re-render with another map.
        case cached(ImageID)
    }

    static let fields = ["image", "image_id", "style", "map", "quality", "max_side", "refine"]

    let source: Source
    let styleID: String?
    let options: AdjustOptions

    init(parts: [MultipartPart]) throws(HTTPError) {
        var image: [UInt8]?
        var imageID: String?
        var styleID: String?
        var options = AdjustOptions()
        var seen: Set<String> = []
        for part in parts {
            guard let name = part.name, Self.fields.contains(name) else {
                throw HTTPError(.badRequest, detail: "unknown form field '\(part.name ?? "")'; accepted: \(Self.fields.joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else {
                throw HTTPError(.badRequest, detail: "the form field '\(name)' is given twice")
            }
            switch name {
            case "image": image = part.body
            case "image_id": imageID = part.text.trimmingCharacters(in: .whitespaces)
            case "map": options.mapPNG = part.body
            case "style": styleID = part.text.trimmingCharacters(in: .whitespaces)
            case "quality": options.quality = try Self.integer(part, name: "quality", range: "1 and 100")
            case "max_side":
                let r = AdjustOptions.maxSideRange
                options.maxSide = try Self.integer(part, name: "max_side", range: "\(r.lowerBound) and \(r.upperBound)")
            case "refine": options.refine = try Self.boolean(part, name: "refine")
            default: break
            }
        }
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
            throw HTTPError(.badRequest, detail: "the form has no 'image' field (a JPEG or PNG file) and no 'image_id'")
        case (.some, .some):
            throw HTTPError(.badRequest, detail: "send either 'image' or 'image_id', not both")
        }
        self.styleID = styleID.flatMap { $0.isEmpty ? nil : $0 }
        self.options = options
    }

    /// true/false in any case (what generated clients send: Python's str(True) is "True"), or 1/0.
    private static func boolean(_ part: MultipartPart, name: String) throws(HTTPError) -> Bool {
        switch part.text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw HTTPError(.badRequest, detail: "\(name) must be true or false, got '\(part.text.prefix(32))'")
        }
    }

    private static func integer(_ part: MultipartPart, name: String, range: String) throws(HTTPError) -> Int {
        guard let value = Int(part.text.trimmingCharacters(in: .whitespaces)) else {
            throw HTTPError(.badRequest, detail: "\(name) must be an integer between \(range), got '\(part.text.prefix(32))'")
        }
        return value
    }
}
