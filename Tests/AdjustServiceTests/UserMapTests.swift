import AdjustService
import Foundation
import Imaging
import Testing

/// User maps of both kinds through the pipeline: labels and per-preset weights, and the refusals.
struct UserMapTests {
    typealias Fixture = AdjustPipelineTests

    static func png(_ pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> [UInt8] {
        try PNGEncoder().encode(pixels: pixels, width: width, height: height, channels: channels)
    }

    static func decoded(_ jpeg: [UInt8]) throws -> [UInt8] { try ImageDecoder().decode(jpeg).image.pixels }

    static func meanDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        zip(a, b).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(a.count)
    }

    @Test func weightMapOfOneHotWeightsEqualsTheLabelMap() throws {
        let pipeline = try Fixture.pipeline()
        let photo = try Fixture.photo()
        // Gray+alpha: channel 0 = preset 0's weight, alpha = preset 1's. All weight on preset 1.
        let weights = try Self.png([UInt8](repeating: 0, count: 8 * 8 * 2).enumerated().map { $0.offset % 2 == 1 ? 255 : 0 },
                                   width: 8, height: 8, channels: 2)
        let viaWeights = try pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: weights))
        let viaLabels = try pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: Fixture.labelPNG(1)))
        #expect(viaWeights.usedUserMap)
        #expect(viaWeights.coverage.map { ($0 * 1e6).rounded() / 1e6 } == [0, 1])
        #expect(try Self.decoded(viaWeights.image) == Self.decoded(viaLabels.image))
        // The map handed back is the argmax label image, editable and sendable again.
        let back = try PNGDecoder().decode(try #require(viaWeights.mapPNG))
        #expect(back.isGrayscale && back.image.pixels.allSatisfy { $0 == 1 })
    }

    @Test func halfAndHalfWeightsBlendBetweenThePresets() throws {
        let pipeline = try Fixture.pipeline()
        let photo = try Fixture.photo()
        let half = try Self.png([UInt8](repeating: 128, count: 4 * 4 * 2), width: 4, height: 4, channels: 2)
        let blended = try Self.decoded(pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: half)).image)
        let zero = try Self.decoded(pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: Fixture.labelPNG(0))).image)
        let one = try Self.decoded(pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: Fixture.labelPNG(1))).image)
        let presetsApart = Self.meanDifference(zero, one)
        #expect(presetsApart > 1, "the two presets differ (\(presetsApart))")
        // The mixture lies between the presets: closer to each than they are to each other.
        #expect(Self.meanDifference(blended, zero) < 0.75 * presetsApart)
        #expect(Self.meanDifference(blended, one) < 0.75 * presetsApart)
    }

    @Test func mapsThatFitNeitherKindAreRefusedPrecisely() throws {
        let pipeline = try Fixture.pipeline()
        let photo = try Fixture.photo()
        let cases: [(String, [UInt8], String)] = [
            ("RGBA for K = 2", try Self.png([UInt8](repeating: 9, count: 4 * 4 * 4), width: 4, height: 4, channels: 4),
             "the map has 4 channels (with alpha); this style has K = 2"),
            ("colour RGB", try Self.png((0..<48).map { UInt8($0) }, width: 4, height: 4, channels: 3), "has colour (0,1,2)"),
            ("zero weights", try Self.png([UInt8](repeating: 0, count: 4 * 4 * 2), width: 4, height: 4, channels: 2),
             "16 pixels (the first at 0,0) have zero weight"),
            ("label out of range", try Fixture.labelPNG(2), "preset indices up to 2, but this style has K = 2"),
            ("not a PNG", Array("GIF89a".utf8), "not a readable PNG"),
        ]
        for (name, map, message) in cases {
            #expect(throws: AdjustError.self, "\(name)") { try pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: map)) }
            do {
                _ = try pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: map))
            } catch {
                #expect("\(error)".contains(message), "\(name): \(error)")
            }
        }
    }

    @Test func grayLabelsSavedAsRGBAreStillLabels() throws {
        let pipeline = try Fixture.pipeline()
        let rgb = try Self.png([UInt8](repeating: 1, count: 6 * 6 * 3), width: 6, height: 6, channels: 3)
        let result = try pipeline.adjust(imageBytes: Fixture.photo(), options: AdjustOptions(mapPNG: rgb))
        #expect(result.coverage == [0, 1])
    }
}
