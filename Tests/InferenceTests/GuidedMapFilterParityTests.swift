import Testing
@testable import Inference

/// GuidedMapFilter against the Python reference (training/map_refine.py, engine_* functions) on
/// Fixtures/guided-map.safetensors (training/fixtures_guided_map.py): a 61×45 photo with sharp edges
/// and K = 3 smooth weight planes whose boundaries miss them, refined on a 28-pixel guide (the fast
/// form: coefficients upsampled) and on the photo's own size (the exact filter).
struct GuidedMapFilterParityTests {
    static let (height, width) = (45, 61)

    @Test(arguments: [28, 64])
    func labelsMatchTheReference(guideLongSide: Int) throws {
        let file = try Fixtures.open("guided-map.safetensors")
        let metadata = file.metadata
        let settings = MapRefinementSettings(guideLongSide: guideLongSide,
                                             radiusFraction: Double(metadata["radius_fraction"]!)!,
                                             epsilon: Double(metadata["epsilon"]!)!)
        let photo = try file.floats("photo").map { UInt8($0) }
        let (h, w) = (Self.height, Self.width)
        let guide = GuidedMapFilter.guide(rgb: photo, height: h, width: w, longSide: guideLongSide)
        let expectedGuide = try file.floats("guide\(guideLongSide)")
        #expect(Comparison(guide.withUnsafeBufferPointer { Array($0) }, expectedGuide).maxAbs < 1e-6)

        let weights = try file.tensor("weights\(guideLongSide)")
        let filter = GuidedMapFilter(weights: weights, guide: guide, settings: settings, threads: 2)
        let labels = filter.labels(rgb: photo, height: h, width: w, threads: 2)
        let expected = try file.floats("labels\(guideLongSide)").map { UInt8($0) }
        let unrefined = try file.floats("unrefined\(guideLongSide)").map { UInt8($0) }
        let differing = zip(labels, expected).filter { $0 != $1 }.count
        let moved = zip(expected, unrefined).filter { $0 != $1 }.count
        // Float against float64: only near-ties may flip; the refinement itself moves ~8 % of the labels.
        #expect(differing <= 3, "\(differing) of \(labels.count) labels differ from the reference")
        #expect(moved > 150, "the fixture's refinement moves \(moved) labels: too few to test anything")
    }

    /// Weights that are one affine function of the colour everywhere are reproduced exactly: the
    /// filter's model holds, so its coefficients are that function's (up to ε).
    @Test func affineWeightsAreKept() {
        let (h, w) = (20, 30)
        var photo = [UInt8](repeating: 0, count: h * w * 3)
        for y in 0..<h { for x in 0..<w { photo[(y * w + x) * 3] = UInt8(x * 8); photo[(y * w + x) * 3 + 1] = UInt8(y * 12) } }
        let guide = GuidedMapFilter.guide(rgb: photo, height: h, width: w, longSide: 64)
        var weights = Tensor(channels: 2, height: h, width: w)
        weights.withUnsafeMutableBufferPointer { p in
            for i in 0..<(h * w) {
                let r = Float(photo[i * 3]) / 255
                p[i] = r; p[h * w + i] = 1 - r  // preset 1 where red is below 0.5
            }
        }
        let filter = GuidedMapFilter(weights: weights, guide: guide, settings: MapRefinementSettings(radiusFraction: 0.2, epsilon: 1e-6), threads: 1)
        let labels = filter.labels(rgb: photo, height: h, width: w, threads: 1)
        for y in 0..<h {
            for x in 0..<w where abs(Float(x * 8) / 255 - 0.5) > 0.02 {
                #expect(labels[y * w + x] == (Float(x * 8) / 255 > 0.5 ? 0 : 1), "pixel \(x),\(y)")
            }
        }
    }

    /// The labels pass fills a column segment without evaluating its pixels when one preset leads at
    /// both of its coefficient columns for every colour: on a photo 12x the guide (segments of ~12
    /// pixels, most of them filled) the labels equal each pixel's own first argmax of q.
    @Test func skippedSegmentsEqualThePixelsOwnDecision() throws {
        let file = try Fixtures.open("guided-map.safetensors")
        let settings = MapRefinementSettings(guideLongSide: 28, radiusFraction: Double(file.metadata["radius_fraction"]!)!,
                                             epsilon: Double(file.metadata["epsilon"]!)!)
        let small = try file.floats("photo").map { UInt8($0) }
        let (h, w) = (Self.height * 12, Self.width * 12)
        var photo = [UInt8](repeating: 0, count: h * w * 3)
        var noise: UInt32 = 1
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {  // the fixture upscaled, with noise so that no segment is flat
                    noise = noise &* 1_664_525 &+ 1_013_904_223
                    let v = Int(small[((y / 12) * Self.width + x / 12) * 3 + c]) + Int(noise >> 28) - 8
                    photo[(y * w + x) * 3 + c] = UInt8(clamping: v)
                }
            }
        }
        let guide = GuidedMapFilter.guide(rgb: photo, height: h, width: w, longSide: 28)
        let filter = GuidedMapFilter(weights: try file.tensor("weights28"), guide: guide, settings: settings, threads: 2)
        let labels = filter.labels(rgb: photo, height: h, width: w, threads: 2)
        let rows = BilinearTaps(source: filter.coefficients.height, destination: h)
        let columns = BilinearTaps(source: filter.coefficients.width, destination: w)
        let k = filter.presetCount, n = 4 * k
        var mismatches = 0, nearTies = 0
        filter.coefficients.data.withUnsafeBufferPointer { c in
            for y in 0..<h {
                for x in 0..<w {
                    var q = [Float](repeating: 0, count: k)
                    for j in 0..<k {
                        for t in 0..<4 {
                            func at(_ r: Int32, _ col: Int32) -> Float { c[(Int(r) * filter.coefficients.width + Int(col)) * n + 4 * j + t] }
                            let top = at(rows.lower[y], columns.lower[x]) * (1 - columns.weight[x]) + at(rows.lower[y], columns.upper[x]) * columns.weight[x]
                            let bottom = at(rows.upper[y], columns.lower[x]) * (1 - columns.weight[x]) + at(rows.upper[y], columns.upper[x]) * columns.weight[x]
                            let v = top * (1 - rows.weight[y]) + bottom * rows.weight[y]
                            q[j] += t < 3 ? v * Float(photo[(y * w + x) * 3 + t]) : v
                        }
                    }
                    let best = q.indices.max { q[$0] < q[$1] || (q[$0] == q[$1] && $0 > $1) }!
                    let sorted = q.sorted(by: >)
                    if sorted[0] - sorted[1] < 1e-4 { nearTies += 1; continue }
                    if labels[y * w + x] != UInt8(best) { mismatches += 1 }
                }
            }
        }
        #expect(mismatches == 0, "\(mismatches) labels differ from the pixels' own argmax (\(nearTies) near-ties skipped)")
        #expect(Set(labels).count == k, "the test photo should use every preset")
    }
}
