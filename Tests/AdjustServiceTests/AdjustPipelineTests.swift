@testable import AdjustService
import Foundation
import Imaging
import Inference
import Testing

/// The pipeline end to end on the reduced-configuration model the Python reference exported for
/// the engine's parity tests (random weights: the figures here check plumbing, not quality).
struct AdjustPipelineTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("InferenceTests/Fixtures")

    static func pipeline() throws -> AdjustPipeline {
        let model = try SAAdjustModel(
            trunkPath: fixtures.appendingPathComponent("tiny-trunk.safetensors").path,
            headPath: fixtures.appendingPathComponent("tiny-model.safetensors").path)
        return AdjustPipeline(model: model, threadsPerJob: 2)
    }

    /// A 96×64 photo: a gradient with a bright square, so the map has structure to find.
    static func photo(width: Int = 96, height: Int = 64) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let inside = (30..<60).contains(x) && (20..<44).contains(y)
                pixels[3 * (y * width + x)] = inside ? 240 : UInt8(40 + x)
                pixels[3 * (y * width + x) + 1] = inside ? 200 : UInt8(60 + y)
                pixels[3 * (y * width + x) + 2] = inside ? 40 : 120
            }
        }
        return try JPEGEncoder().encode(RGBImage(width: width, height: height, pixels: pixels))
    }

    static func labelPNG(_ value: UInt8, width: Int = 10, height: Int = 10) throws -> [UInt8] {
        try PNGEncoder().encode(pixels: [UInt8](repeating: value, count: width * height), width: width, height: height, channels: 1)
    }

    @Test func discoveredMapAdjustsThePhotoAtFullResolution() throws {
        let pipeline = try Self.pipeline()
        let input = try Self.photo()
        let result = try pipeline.adjust(imageBytes: input)
        #expect(result.width == 96 && result.height == 64)
        #expect(result.presetNames == ["p0", "p1"])
        #expect(abs(result.coverage.reduce(0, +) - 1) < 1e-9)
        #expect(!result.usedUserMap)
        #expect(result.stages.map(\.name) == ["decode", "resize", "context", "fit", "map", "render", "encode"])

        let output = try ImageDecoder().decode(result.image).image
        #expect(output.width == 96 && output.height == 64)
        let original = try ImageDecoder().decode(input).image
        let meanChange = zip(output.pixels, original.pixels).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(output.pixels.count)
        #expect(meanChange > 1, "the model changed the photo (mean |Δ| = \(meanChange))")

        let map = try PNGDecoder().decode(try #require(result.mapPNG)).image
        #expect(map.width == 96 && map.height == 64)
        #expect(map.pixels.allSatisfy { $0 < 2 })
    }

    /// `refine` absent: the discovered map is snapped, a user's map is taken as painted (as with
    /// refine=false); refine=true snaps a stroke that misses the square by 2 px.
    @Test func refineDefaultsToSnappingTheDiscoveredMapOnly() throws {
        let pipeline = try Self.pipeline()
        let input = try Self.photo()
        // (The tiny model's discovered map is a coarse pattern that snapping leaves as it is, so the
        // discovered map's default is checked on the options themselves.)
        #expect(AdjustOptions().refines(userMap: false) && !AdjustOptions().refines(userMap: true))
        #expect(!AdjustOptions(refine: false).refines(userMap: false) && AdjustOptions(refine: true).refines(userMap: true))

        let (w, h) = (96, 64)
        var stroke = [UInt8](repeating: 0, count: w * h)
        for y in 18..<42 { for x in 28..<58 { stroke[y * w + x] = 1 } }  // the square is 30..<60 × 20..<44
        let strokePNG = try PNGEncoder().encode(pixels: stroke, width: w, height: h, channels: 1)
        func map(_ options: AdjustOptions) throws -> [UInt8] {
            let png = try #require(try pipeline.adjust(imageBytes: input, options: options).mapPNG)
            return try #require(try PNGDecoder().decodeGrayscale(png)).pixels
        }
        #expect(try map(AdjustOptions(mapPNG: strokePNG)) == stroke, "a user's map is used as painted by default")
        #expect(try map(AdjustOptions(mapPNG: strokePNG, refine: false)) == stroke)
        let moved = zip(try map(AdjustOptions(mapPNG: strokePNG, refine: true)), stroke).filter { $0 != $1 }.count
        #expect(moved > 20, "refine=true moves the stroke's edges onto the square's (\(moved) labels moved)")
    }

    @Test func userMapReplacesTheDiscoveredOne() throws {
        let pipeline = try Self.pipeline()
        let input = try Self.photo()
        let allZero = try pipeline.adjust(imageBytes: input, options: AdjustOptions(mapPNG: Self.labelPNG(0)))
        let allOne = try pipeline.adjust(imageBytes: input, options: AdjustOptions(mapPNG: Self.labelPNG(1)))
        #expect(allZero.usedUserMap && allOne.usedUserMap)
        #expect(allZero.coverage == [1, 0])
        #expect(allOne.coverage == [0, 1])
        // The same photo under two different presets comes out differently.
        #expect(allZero.image != allOne.image)
        // The map sent back is the user's, resized to the photo.
        let map = try PNGDecoder().decode(try #require(allOne.mapPNG)).image
        #expect(map.width == 96 && map.height == 64 && map.pixels.allSatisfy { $0 == 1 })
    }

    @Test func invalidInputsAreRefusedWithPreciseReasons() throws {
        let pipeline = try Self.pipeline()
        let input = try Self.photo()
        #expect {
            try pipeline.adjust(imageBytes: input, options: AdjustOptions(mapPNG: Self.labelPNG(5)))
        } throws: { error in
            guard case .invalidMap(let reason) = error as? AdjustError else { return false }
            return reason.contains("K = 2")
        }
        let colour = try PNGEncoder().encode(pixels: [255, 0, 0], width: 1, height: 1, channels: 3)
        #expect {
            try pipeline.adjust(imageBytes: input, options: AdjustOptions(mapPNG: colour))
        } throws: { error in
            guard case .invalidMap(let reason) = error as? AdjustError else { return false }
            return reason.contains("grayscale")
        }
        #expect {
            try pipeline.adjust(imageBytes: input, options: AdjustOptions(mapPNG: [1, 2, 3]))
        } throws: { error in
            if case .invalidMap = error as? AdjustError { return true }
            return false
        }
        #expect {
            try pipeline.adjust(imageBytes: Array(input.prefix(200)))
        } throws: { error in
            if case .undecodableImage = error as? AdjustError { return true }
            return false
        }
        #expect {
            try pipeline.adjust(imageBytes: input, options: AdjustOptions(quality: 0))
        } throws: { error in
            if case .invalidOption = error as? AdjustError { return true }
            return false
        }
    }
}

/// A style whose file says `map_default: soft` blends its presets by the map's probabilities when
/// the request leaves `refine` out, and takes labels like any other style when it gives it.
struct SoftDefaultMapTests {
    /// The tiny model with `map_default` set to `soft` (padded so the header keeps its length).
    static func softPipeline() throws -> AdjustPipeline {
        var bytes = [UInt8](try Data(contentsOf: AdjustPipelineTests.fixtures.appendingPathComponent("tiny-model.safetensors")))
        let old = Array(#""map_default":"argmax""#.utf8), new = Array(#""map_default":"soft"  "#.utf8)
        let at = try #require((0..<(bytes.count - old.count)).first { Array(bytes[$0..<$0 + old.count]) == old })
        bytes.replaceSubrange(at..<at + old.count, with: new)
        let model = try SAAdjustModel(head: SafetensorsFile(bytes: bytes),
                                      trunkPath: AdjustPipelineTests.fixtures.appendingPathComponent("tiny-trunk.safetensors").path)
        #expect(model.description.defaultMap == "soft")
        return AdjustPipeline(model: model, threadsPerJob: 2)
    }

    @Test func aSoftStyleBlendsUnlessRefineIsGiven() throws {
        let soft = try Self.softPipeline(), hard = try AdjustPipelineTests.pipeline()
        let photo = try AdjustPipelineTests.photo()
        let png = AdjustOptions(format: .png)
        var plainOptions = png
        plainOptions.refine = false
        let blended = try soft.adjust(imageBytes: photo, options: png)
        let snapped = try hard.adjust(imageBytes: photo, options: png)
        #expect(blended.image != snapped.image, "the soft style's default is not the labels' render")
        let softPlain = try soft.adjust(imageBytes: photo, options: plainOptions)
        let hardPlain = try hard.adjust(imageBytes: photo, options: plainOptions)
        #expect(softPlain.image == hardPlain.image, "refine=false: both render the plain labels")
        #expect(blended.mapPNG == hardPlain.mapPNG, "the map answered is the argmax")
    }
}
