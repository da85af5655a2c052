import AdjustService
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPCore
import Imaging
import Testing
@testable import Server

/// Every shipped style (models/*.safetensors) with the real ImageNet trunk, over real sockets, on a
/// real photo: the product's own path. Skipped, saying why, where the trunk (../shared) is absent.
@Suite(.serialized)
struct RealModelEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let trunk = root.deletingLastPathComponent().appendingPathComponent("shared/weights/resnet50-imagenet-trunk.safetensors")
    static let available = FileManager.default.fileExists(atPath: trunk.path)
        && FileManager.default.fileExists(atPath: AdjustEndToEndTests.sharedPhotos.path)

    @Test(.enabled(if: available, "needs ../shared/weights and ../shared/data (the trunk and real photos)"))
    func everyShippedStyleAdjustsARealPhotoAndTakesItsMapBack() async throws {
        let catalog = StyleCatalog(modelsDirectory: Self.root.appendingPathComponent("models").path, trunkPath: Self.trunk.path)
        #expect(catalog.skipped.isEmpty, "\(catalog.skipped)")
        #expect(Set(catalog.ids).isSuperset(of: ["popout", "xpro", "watercolor"]), "\(catalog.ids)")
        let expectedK = ["popout": 2, "xpro": 4, "watercolor": 2]
        try await AdjustEndToEndTests.withServer(catalog: catalog, cacheBytes: 256 << 20, queueDeadline: .seconds(120)) { base in
            try await Self.checkEveryStyle(catalog, base: base, expectedK: expectedK)
        }
    }

    static func checkEveryStyle(_ catalog: StyleCatalog, base: URL, expectedK: [String: Int]) async throws {
        let photo = try AdjustEndToEndTests.photo(index: 3)
        let original = try ImageDecoder().decode(photo).image
        for style in catalog.ids {
            let (status, _, body) = try await AdjustEndToEndTests.post(base, [("image", "photo.jpg", photo), ("style", nil, Array(style.utf8))], accept: "application/json")
            #expect(status == 200, "\(style)")
            let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "\(style)")
            #expect(json["K"] as? Int == expectedK[style], "\(style)")
            let output = try ImageDecoder().decode([UInt8](try #require(Data(base64Encoded: json["image"] as? String ?? "")))).image
            #expect(output.width == original.width && output.height == original.height, "\(style)")
            let change = zip(output.pixels, original.pixels).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(output.pixels.count)
            #expect(change > 2, "\(style) retouches the photo (mean |Δ| \(change))")
            // A trained map is not trivial: no preset takes every pixel of a real photo.
            let coverage = try #require(json["coverage"] as? [Double], "\(style)")
            #expect(coverage.count == expectedK[style] && coverage.allSatisfy { $0 < 0.995 }, "\(style): \(coverage)")
            // The returned map goes straight back through the image_id loop.
            let map = try #require(Data(base64Encoded: json["map"] as? String ?? ""))
            let id = try #require(json["image_id"] as? String)
            let (again, _, jpeg) = try await AdjustEndToEndTests.post(base, [("image_id", nil, Array(id.utf8)), ("map", "map.png", [UInt8](map))])
            #expect(again == 200, "\(style)")
            let rerendered = try ImageDecoder().decode([UInt8](jpeg)).image
            let drift = zip(rerendered.pixels, output.pixels).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(output.pixels.count)
            #expect(drift < 1, "\(style): the discovered map sent back re-renders the same photo (mean |Δ| \(drift))")
        }
    }
}
