@testable import AdjustService
import Foundation
import Imaging
import Inference
import Testing

/// A re-render that picks pixels from the preset alternatives gives the very bytes of one that
/// renders them, for any repaint; the alternatives' render stops when cancelled.
struct PresetAlternativesTests {
    /// Label maps a user might send for a `width`×`height` photo with `k` presets: all one preset,
    /// a painted rectangle, stripes, and noise.
    static func repaints(width: Int, height: Int, k: Int) -> [[UInt8]] {
        var state: UInt32 = 12345
        let noise = (0..<(width * height)).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24) % UInt8(k)
        }
        let rectangle = (0..<(width * height)).map { i -> UInt8 in
            let (x, y) = (i % width, i / width)
            return (width / 4..<width / 2).contains(x) && (height / 3..<height).contains(y) ? UInt8(k - 1) : 0
        }
        let stripes = (0..<(width * height)).map { i in UInt8((i % width / 5) % k) }
        return (0..<k).map { [UInt8](repeating: UInt8($0), count: width * height) } + [rectangle, stripes, noise]
    }

    /// The first render, then each repaint rendered without and with the alternatives: same JPEG.
    static func checkPickingEqualsRendering(_ pipeline: AdjustPipeline, photo: [UInt8]) throws {
        let first = try pipeline.adjust(imageBytes: photo)
        #expect(pipeline.wantsAlternatives(first.analysis))
        let withAlternatives = try #require(try pipeline.withAlternatives(first.analysis, isCancelled: { false }))
        #expect(!pipeline.wantsAlternatives(withAlternatives))
        let (w, h, k) = (first.width, first.height, pipeline.presetCount)
        #expect(withAlternatives.byteCount == first.analysis.byteCount + (k - 1) * w * h * 3)
        for (i, labels) in repaints(width: w, height: h, k: k).enumerated() {
            let png = try PNGEncoder().encode(pixels: labels, width: w, height: h, channels: 1)
            let options = AdjustOptions(mapPNG: png)
            let rendered = try pipeline.render(first.analysis, options: options)
            let picked = try pipeline.render(withAlternatives, options: options)
            #expect(!rendered.pickedFromAlternatives && picked.pickedFromAlternatives, "repaint \(i)")
            #expect(rendered.image.elementsEqual(picked.image), "repaint \(i): picked pixels must encode to the rendered JPEG")
            #expect(rendered.coverage == picked.coverage)
        }
    }

    @Test func pickingEqualsRenderingOnTheTinyModel() throws {
        try Self.checkPickingEqualsRendering(try AdjustPipelineTests.pipeline(), photo: try AdjustPipelineTests.photo())
    }

    /// The guided method as well: its per-preset transforms are what the alternatives hold.
    @Test func pickingEqualsRenderingGuided() throws {
        let base = try AdjustPipelineTests.pipeline()
        let guided = AdjustPipeline(model: base.model, threadsPerJob: 2, renderMethod: .guided(.standard))
        try Self.checkPickingEqualsRendering(guided, photo: try AdjustPipelineTests.photo(width: 120, height: 90))
    }

    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models")

    /// A shipped style with K = 4 on the shipped trunk: three rotations.
    @Test func pickingEqualsRenderingWithFourPresets() throws {
        let model = try SAAdjustModel(trunkPath: Self.models.appendingPathComponent("resnet50-imagenet-trunk.safetensors").path,
                                      headPath: Self.models.appendingPathComponent("xpro.safetensors").path)
        #expect(model.description.presetCount == 4)
        try Self.checkPickingEqualsRendering(AdjustPipeline(model: model, threadsPerJob: 2), photo: try AdjustPipelineTests.photo(width: 160, height: 120))
    }

    @Test func cancellingStopsBetweenBands() throws {
        let pipeline = try AdjustPipelineTests.pipeline()
        let first = try pipeline.adjust(imageBytes: try AdjustPipelineTests.photo())
        var checks = 0
        // Bands of 8 rows of the 64-row photo: 8 bands.
        #expect(try pipeline.withAlternatives(first.analysis, bandPixels: 96 * 8, isCancelled: { checks += 1; return checks > 1 }) == nil)
        #expect(checks == 2, "one band rendered, then the check that stopped it")
        var all = 0
        #expect(try pipeline.withAlternatives(first.analysis, bandPixels: 96 * 8, isCancelled: { all += 1; return false }) != nil)
        #expect(all == 8)
    }

    /// Preempted and called again, a builder renders only the bands left, and its alternatives
    /// are those of a run that was never stopped.
    @Test func aStoppedBuilderGoesOnWhereItStopped() throws {
        let pipeline = try AdjustPipelineTests.pipeline()
        let first = try pipeline.adjust(imageBytes: try AdjustPipelineTests.photo())
        let builder = pipeline.alternativesBuilder()
        var checks = 0
        #expect(try builder.advance(first.analysis, bandPixels: 96 * 8, isCancelled: { checks += 1; return checks == 4 }) == nil)
        var more = 0
        let resumed = try #require(try builder.advance(first.analysis, bandPixels: 96 * 8, isCancelled: { more += 1; return false }))
        #expect(more == 5, "three of the eight bands were done before the stop")
        let oneGo = try #require(try pipeline.withAlternatives(first.analysis, isCancelled: { false }))
        let png = try PNGEncoder().encode(pixels: Self.repaints(width: 96, height: 64, k: 2).last!, width: 96, height: 64, channels: 1)
        let a = try pipeline.render(resumed, options: AdjustOptions(mapPNG: png))
        let b = try pipeline.render(oneGo, options: AdjustOptions(mapPNG: png))
        #expect(a.pickedFromAlternatives && b.pickedFromAlternatives && a.image.elementsEqual(b.image))
    }

    /// A weight map's first render keeps no labels: nothing to make.
    @Test func nothingToMakeAfterAWeightMap() throws {
        let pipeline = try AdjustPipelineTests.pipeline()
        let (w, h) = (96, 64)
        let weights = (0..<(w * h)).flatMap { i -> [UInt8] in [UInt8(i % 256), 255 - UInt8(i % 256)] }
        let png = try PNGEncoder().encode(pixels: weights, width: w, height: h, channels: 2)
        let first = try pipeline.adjust(imageBytes: try AdjustPipelineTests.photo(), options: AdjustOptions(mapPNG: png))
        #expect(!pipeline.wantsAlternatives(first.analysis))
        #expect(try pipeline.withAlternatives(first.analysis, isCancelled: { false }) == nil)
    }

    /// `fill` alone, K = 2…4, on synthetic renders where a pixel's bytes say which preset made them.
    @Test(arguments: [2, 3, 4])
    func fillPicksThePresetEachLabelAsksFor(k: Int) {
        let (w, h) = (23, 17), n = w * h
        func render(_ p: Int, _ preset: Int) -> [UInt8] { [UInt8(preset), UInt8(p % 251), UInt8(p / 251)] }
        let old = (0..<n).map { UInt8(($0 * 7 + $0 / w) % k) }
        let first = (0..<n).flatMap { render($0, Int(old[$0])) }
        let rotations = (1..<k).flatMap { j in (0..<n).flatMap { render($0, (Int(old[$0]) + j) % k) } }
        let reference = ReferenceRender(labels: old, pixels: first, jpeg: try! SegmentedJPEG(
            encoding: RGBImage(width: w, height: h, pixels: first), quality: 90, iccProfile: nil), strength: 1)
        let alternatives = PresetAlternatives(presetCount: k, rotations: rotations)
        for labels in Self.repaints(width: w, height: h, k: k) {
            let columns = (0..<h).map { y in y % 3 == 0 ? 0..<0 : (y % w)..<w }
            var out = [UInt8](repeating: 0xEE, count: 3 * n)
            out.withUnsafeMutableBufferPointer { o in
                alternatives.fill(o.baseAddress!, labels: labels, reference: reference, width: w, rows: [0..<h],
                                  columns: columns, threads: 3)
            }
            for p in 0..<n {
                let (x, y) = (p % w, p / w)
                let expected = columns[y].contains(x) ? render(p, Int(labels[p])) : [0xEE, 0xEE, 0xEE]
                if Array(out[(3 * p)..<(3 * p + 3)]) != expected {
                    Issue.record("K = \(k), pixel (\(x), \(y)): \(out[(3 * p)..<(3 * p + 3)]) instead of \(expected)")
                    return
                }
            }
        }
    }
}
