import AdjustService
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPCore
import Imaging
import Testing
@testable import Server

/// Every shipped style (models/*.safetensors) with the shipped ImageNet trunk, found the way `serve`
/// finds it (the file each head names, in models/), over real sockets: the product's own path. The
/// first test runs everywhere, on a generated scene; the second needs real photos from ../shared/data.
@Suite(.serialized)
struct RealModelEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let expectedK = ["popout": 2, "xpro": 4, "watercolor": 2]

    static func shippedCatalog() throws -> StyleCatalog {
        let catalog = StyleCatalog(modelsDirectory: root.appendingPathComponent("models").path, threadsPerJob: 2)
        #expect(catalog.skipped.isEmpty, "\(catalog.skipped)")
        #expect(catalog.trunkCount == 1, "one trunk file shared by every style")
        #expect(Set(catalog.ids) == Set(expectedK.keys), "\(catalog.ids)")
        return catalog
    }

    /// A generated photo, 320x240 unless asked otherwise: sky, a lawn and a red object, laid out in
    /// proportion to the size, so that every style has something to change.
    static func scene(width: Int = 320, height: Int = 240) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                // Coordinates on the 320x240 layout.
                let u = x * 320 / width, v = y * 240 / height
                let dx = Double(u - 200), dy = Double(v - 150)
                let rgb: (Int, Int, Int) = dx * dx / 3600 + dy * dy / 1600 < 1 ? (200, 40 + v / 8, 30)
                    : v < 100 ? (90 + v / 2, 150 + v / 2, 235) : (60 + u / 16, 140 - (v - 100) / 4, 50)
                pixels[3 * (y * width + x)] = UInt8(rgb.0)
                pixels[3 * (y * width + x) + 1] = UInt8(rgb.1)
                pixels[3 * (y * width + x) + 2] = UInt8(rgb.2)
            }
        }
        return try JPEGEncoder().encode(RGBImage(width: width, height: height, pixels: pixels))
    }

    @Test func everyShippedStyleAdjustsWithTheTrunkFromItsModelsFolder() async throws {
        let catalog = try Self.shippedCatalog()
        try await AdjustEndToEndTests.withServer(catalog: catalog, cacheBytes: 256 << 20, queueDeadline: .seconds(120)) { base in
            try await Self.checkEveryStyle(catalog, base: base, photo: try Self.scene(), realPhoto: false)
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: AdjustEndToEndTests.sharedPhotos.path),
                   "needs ../shared/data (real photos) for the map-coverage check; the trunk ships in models/"))
    func everyShippedStyleAdjustsARealPhotoAndTakesItsMapBack() async throws {
        let catalog = try Self.shippedCatalog()
        try await AdjustEndToEndTests.withServer(catalog: catalog, cacheBytes: 256 << 20, queueDeadline: .seconds(120)) { base in
            try await Self.checkEveryStyle(catalog, base: base, photo: try AdjustEndToEndTests.photo(index: 3), realPhoto: true)
        }
    }

    /// `realPhoto`: also that no preset takes every pixel, which a trained map gives on a real photo.
    static func checkEveryStyle(_ catalog: StyleCatalog, base: URL, photo: [UInt8], realPhoto: Bool) async throws {
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
            let coverage = try #require(json["coverage"] as? [Double], "\(style)")
            #expect(coverage.count == expectedK[style], "\(style): \(coverage)")
            // A trained map is not trivial: no preset takes every pixel of a real photo.
            if realPhoto { #expect(coverage.allSatisfy { $0 < 0.995 }, "\(style): \(coverage)") }
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

/// A wide-gamut photo through a shipped style: the Display P3 HEIC (Fixtures/formats) must be
/// retouched like the same photo already in sRGB (its ImageCms conversion, sent as PNG), not like
/// its P3 numbers read as sRGB, which look duller.
struct WideGamutRetouchTests {
    @Test func aDisplayP3HEICIsRetouchedAsTheSameColoursInSRGB() async throws {
        let catalog = try RealModelEndToEndTests.shippedCatalog()
        let pipeline = try #require(catalog.style("popout")).pipeline
        let formats = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ImagingTests/Fixtures/formats")
        let heic = [UInt8](try Data(contentsOf: formats.appendingPathComponent("display-p3.heic")))
        let srgbPixels = [UInt8](try Data(contentsOf: formats.appendingPathComponent("display-p3.heic.rgb")))
        let p3 = try ImageDecoder(colourManagement: nil).decode(heic).image
        let srgbPNG = try PNGEncoder().encode(RGBImage(width: p3.width, height: p3.height, pixels: srgbPixels))
        let p3AsIfSRGB = try PNGEncoder().encode(p3)
        func retouched(_ photo: [UInt8]) throws -> [UInt8] {
            let result = try pipeline.adjust(imageBytes: photo, options: AdjustOptions(format: .png, encodesMap: false))
            return try ImageDecoder().decode(result.image).image.pixels
        }
        func mean(_ a: [UInt8], _ b: [UInt8]) -> Double {
            zip(a, b).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(a.count)
        }
        let fromHEIC = try retouched(heic)
        let fromSRGB = try retouched(srgbPNG)
        let fromMisread = try retouched(p3AsIfSRGB)
        let converted = mean(fromHEIC, fromSRGB), misread = mean(fromMisread, fromSRGB)
        #expect(converted < 1.5, "the P3 HEIC retouched as its sRGB colours (mean |Δ| \(converted))")
        #expect(misread > 3 * converted && misread > 3, "P3 numbers read as sRGB would differ (mean |Δ| \(misread))")
        #expect(mean(fromHEIC, srgbPixels) > 2, "and the style did retouch it")
    }
}
