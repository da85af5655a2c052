import Foundation
import Imaging

/// The committed fixtures (see Fixtures/make_fixtures.py), located through
/// #filePath so no resource bundle is needed.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func bytes(_ name: String) -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        guard let data = try? Data(contentsOf: url) else {
            fatalError("missing fixture \(url.path); run make_fixtures.py")
        }
        return [UInt8](data)
    }

    static func json<T: Decodable>(_ name: String, as type: T.Type) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes(name)))
        } catch {
            fatalError("cannot parse \(name): \(error)")
        }
    }

    struct Manifest: Decodable {
        var jpeg: [DecodeCase]
        var png: [DecodeCase]
        var hostile: [HostileCase]
    }

    /// A file and the pixels an independent decoder (Pillow / numpy) expects.
    struct DecodeCase: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var expected: String
        var width: Int
        var height: Int
        var orientation: Int?
        var progressive: Bool?
        var icc: String?
        var expectedAlpha: String?
        var policy: String?
        var background: [UInt8]?
        var maxProgressiveScans: Int?
        var description: String { file }
    }

    /// A hostile file and the error its construction implies.
    struct HostileCase: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var error: String
        var format: String?
        var width: Int?
        var height: Int?
        var maxSide: Int?
        var maxPixels: Int?
        var limit: Int?
        var chunk: String?
        var length: Int?
        var maxChunkBytes: Int?
        var description: String { "\(file) → \(error)" }
    }

    static let manifest = json("manifest.json", as: Manifest.self)
}
