import Foundation
import Testing
@_spi(Planes) @testable import Inference

/// Guided upsampling (RenderMethod.guided) against the exact colour pass on the tiny parity model:
/// a 180×240 photo with smooth gradients, texture and a sharp-edged disc, the context from the
/// fixture's working image, the guide at a third of the photo's size.
@Suite struct GuidedRenderTests {
    let model: SAAdjustModel
    let context: ContextResult
    let lab: Tensor
    static let (height, width) = (180, 240)
    static let settings = GuidedRenderSettings(guideLongSide: 80, cellSize: 4, luminanceBins: 8)

    init() throws {
        model = try SAAdjustModel(trunkPath: Fixtures.path("tiny-trunk.safetensors"),
                                  headPath: Fixtures.path("tiny-model.safetensors"))
        let stages = try Fixtures.open("tiny-stages.safetensors")
        let rgb8 = try stages.floats("working_rgb8")
        context = try model.context(rgb: Tensor(shape: TensorShape(channels: 3, height: 40, width: 48),
                                                values: channelsLastToCHW(rgb8, h: 40, w: 48, c: 3).map { $0 / 255 }))
        lab = Self.photo()
    }

    /// Lab planes: L ramps and waves in [5, 95], a/b vary smoothly in ±60, a disc of another colour,
    /// and a deterministic pixel-scale texture so pixels differ from their guide samples.
    static func photo() -> Tensor {
        var t = Tensor(channels: 3, height: height, width: width)
        let plane = height * width
        t.withUnsafeMutableBufferPointer { p in
            var seed: UInt32 = 12345
            for y in 0..<height {
                for x in 0..<width {
                    seed = seed &* 1_664_525 &+ 1_013_904_223
                    let noise = Float(seed >> 8) / Float(1 << 24) - 0.5
                    let (fx, fy) = (Float(x) / Float(width), Float(y) / Float(height))
                    let inDisc = (fx - 0.6) * (fx - 0.6) + (fy - 0.4) * (fy - 0.4) < 0.04
                    let i = y * width + x
                    p[i] = min(95, max(5, 15 + 70 * fx + 10 * sinf(9 * fy) + 6 * noise + (inDisc ? -20 : 0)))
                    p[plane + i] = inDisc ? 45 : 50 * sinf(4 * fy + 1) * fx + 4 * noise
                    p[2 * plane + i] = inDisc ? -40 : 40 * cosf(3 * fx) - 20 * fy - 3 * noise
                }
            }
        }
        return t
    }

    /// Mean and max Euclidean Lab distance.
    static func labDistance(_ a: Tensor, _ b: Tensor) -> (mean: Float, max: Float) {
        let plane = a.height * a.width
        var sum: Float = 0, worst: Float = 0
        for y in 0..<a.height {
            for x in 0..<a.width {
                var d2: Float = 0
                for c in 0..<3 { let d = a[c, y, x] - b[c, y, x]; d2 += d * d }
                sum += d2.squareRoot()
                worst = max(worst, d2.squareRoot())
            }
        }
        return (sum / Float(plane), worst)
    }

    @Test(arguments: [MapChoice.argmax, .soft])
    func guidedStaysCloseToExact(map: MapChoice) throws {
        let exact = try model.render(lab: lab, context: context, map: map, method: .exact, threads: 1)
        let guided = try model.render(lab: lab, context: context, map: map, method: .guided(Self.settings), threads: 1)
        let moved = Self.labDistance(exact, lab)
        let err = Self.labDistance(guided, exact)
        print("guided vs exact (\(map)): mean \(err.mean), max \(err.max); exact moves colours by mean \(moved.mean)")
        // The check can fail: the adjustment itself is much larger than the bound.
        #expect(moved.mean > 5)
        #expect(err.mean <= 0.1 * moved.mean, "mean error \(err.mean) vs adjustment \(moved.mean)")
        #expect(err.mean <= 0.6 && err.max <= 8, "guided error mean \(err.mean), max \(err.max)")
    }

    @Test func mapLabelsAreTheArgmaxAndRenderLikeIt() throws {
        let labels = context.mapLabels(height: Self.height, width: Self.width)
        let plane = Self.height * Self.width
        let pi = context.mapProbabilities(height: Self.height, width: Self.width).values
        var disagreements = 0
        for i in 0..<plane {
            var best = 0
            for k in 1..<2 where pi[k * plane + i] > pi[best * plane + i] { best = k }
            if best != Int(labels[i]) { disagreements += 1 }
        }
        #expect(disagreements == 0)
        for method in [RenderMethod.exact, .guided(Self.settings)] {
            let a = try model.render(lab: lab, context: context, map: .labels(labels), method: method, threads: 1)
            let b = try model.render(lab: lab, context: context, map: .argmax, method: method, threads: 1)
            #expect(a.values == b.values, "\(method): labels vs argmax")
        }
    }

    /// A user map with a sharp-edged region of preset 1: labels and one-hot planes render alike, and
    /// the guided pass keeps the boundary (each preset has its own transforms; the map is per pixel).
    @Test func userLabelsEqualOneHotPlanesAndStaySharp() throws {
        let (h, w) = (Self.height, Self.width)
        let plane = h * w
        var labels = [UInt8](repeating: 0, count: plane)
        for y in 0..<h { for x in 0..<w where (x / 17 + y / 23) % 2 == 1 { labels[y * w + x] = 1 } }
        var planes = Tensor(channels: 2, height: h, width: w)
        planes.withUnsafeMutableBufferPointer { p in for i in 0..<plane { p[Int(labels[i]) * plane + i] = 1 } }
        let exact = try model.render(lab: lab, context: context, map: .labels(labels), method: .exact, threads: 1)
        for method in [RenderMethod.exact, .guided(Self.settings)] {
            let a = try model.render(lab: lab, context: context, map: .labels(labels), method: method, threads: 1)
            let b = try model.render(lab: lab, context: context, map: .user(planes), method: method, threads: 1)
            #expect(a.values == b.values, "\(method): labels vs one-hot planes")
        }
        let guided = try model.render(lab: lab, context: context, map: .labels(labels), method: .guided(Self.settings), threads: 1)
        let presetsDiffer = Self.labDistance(
            try model.render(lab: lab, context: context, map: .labels([UInt8](repeating: 0, count: plane)), method: .exact, threads: 1),
            try model.render(lab: lab, context: context, map: .labels([UInt8](repeating: 1, count: plane)), method: .exact, threads: 1))
        let err = Self.labDistance(guided, exact)
        print("guided vs exact (checkerboard user labels): mean \(err.mean), max \(err.max); presets differ by mean \(presetsDiffer.mean)")
        #expect(presetsDiffer.mean > 2, "the presets must differ for the map to matter")
        #expect(err.mean <= 0.6 && err.max <= 8, "guided error mean \(err.mean), max \(err.max)")
    }

    @Test func bandsOnThreadsEqualOneBand() throws {
        for method in [RenderMethod.exact, .guided(Self.settings)] {
            let one = try model.render(lab: lab, context: context, map: .soft, method: method, threads: 1)
            let three = try model.render(lab: lab, context: context, map: .soft, method: method, threads: 3)
            #expect(one.values == three.values, "\(method)")
        }
    }

    @Test func automaticIsExactForSmallPhotos() throws {
        let auto = try model.render(lab: lab, context: context, map: .soft)
        let exact = try model.render(lab: lab, context: context, map: .soft, method: .exact, threads: 1)
        #expect(auto.values == exact.values)
        #expect(RenderMethod.automatic.resolved(height: 3000, width: 4000) == .guided(.standard))
    }

    @Test func rejectsBadLabels() throws {
        #expect(throws: ModelError.self) {
            try model.render(lab: lab, context: context, map: .labels([UInt8](repeating: 0, count: 10)), method: .exact, threads: 1)
        }
        #expect(throws: ModelError.self) {
            try model.render(lab: lab, context: context, map: .labels([UInt8](repeating: 2, count: Self.height * Self.width)),
                             method: .guided(Self.settings), threads: 1)
        }
    }
}

/// In-place rendering equals rendering into a new tensor, for both methods and every kind of map
/// (the soft map's guided path reads each pixel again for every preset).
@Suite struct InPlaceRenderTests {
    @Test func inPlaceEqualsOutOfPlace() throws {
        let t = try GuidedRenderTests()
        let (h, w) = (GuidedRenderTests.height, GuidedRenderTests.width)
        var half = Tensor(channels: 2, height: h, width: w)
        half.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] = 0.5 } }
        for method in [RenderMethod.exact, .guided(GuidedRenderTests.settings)] {
            for map in [MapChoice.argmax, .soft, .user(half)] {
                let expected = try t.model.render(lab: t.lab, context: t.context, map: map, method: method, threads: 2)
                var lab = t.lab
                try t.model.render(inPlace: &lab, context: t.context, map: map, method: method, threads: 2)
                #expect(lab.values == expected.values, "\(method) \(map)")
                #expect(lab.values != t.lab.values)
            }
        }
    }
}

/// The streamed colour pass (LabRowIO): rows kept by the caller in its own layout (here one
/// interleaved L, a, b array per row) render to what the planes give, and the pass keeps the
/// contract the RGB8 caller relies on: every row written exactly once, and with the guided method
/// no row written before the guide has been read.
@Suite struct StreamedRenderTests {
    final class Rows: @unchecked Sendable {
        let lock = NSLock()
        var input: [[Float]]
        var output: [[Float]?]
        var writes: [Int]
        /// The columns of each row read and written (the last call's).
        var readColumns: [Range<Int>?]
        var writtenColumns: [Range<Int>?]
        var readsAfterFirstWrite = 0
        var anyWritten = false
        let width: Int

        init(_ lab: Tensor) {
            let (h, w) = (lab.height, lab.width)
            input = (0..<h).map { y in (0..<w).flatMap { x in (0..<3).map { lab[$0, y, x] } } }
            output = Array(repeating: nil, count: h)
            writes = Array(repeating: 0, count: h)
            readColumns = Array(repeating: nil, count: h)
            writtenColumns = Array(repeating: nil, count: h)
            width = w
        }

        var io: LabRowIO {
            LabRowIO(
                read: { y, row in
                    self.lock.lock(); defer { self.lock.unlock() }
                    if self.anyWritten { self.readsAfterFirstWrite += 1 }
                    self.readColumns[y] = row.x..<(row.x + row.count)
                    for i in 0..<row.count {
                        let x = row.x + i
                        row.l[i] = self.input[y][3 * x]; row.a[i] = self.input[y][3 * x + 1]; row.b[i] = self.input[y][3 * x + 2]
                    }
                },
                write: { y, row in
                    self.lock.lock(); defer { self.lock.unlock() }
                    self.anyWritten = true
                    self.writes[y] += 1
                    self.writtenColumns[y] = row.x..<(row.x + row.count)
                    var out = self.output[y] ?? Array(repeating: .nan, count: 3 * self.width)
                    for i in 0..<row.count {
                        let x = row.x + i
                        (out[3 * x], out[3 * x + 1], out[3 * x + 2]) = (row.l[i], row.a[i], row.b[i])
                    }
                    self.output[y] = out
                    // The buffers are the callee's: scribbling over them must not matter.
                    row.l.update(repeating: .nan, count: row.count)
                })
        }
    }

    @Test func streamedRowsEqualThePlanes() throws {
        let t = try GuidedRenderTests()
        let (h, w) = (GuidedRenderTests.height, GuidedRenderTests.width)
        for method in [RenderMethod.exact, .guided(GuidedRenderTests.settings)] {
            for map in [MapChoice.argmax, .soft] {
                let expected = try t.model.render(lab: t.lab, context: t.context, map: map, method: method, threads: 1)
                let rows = Rows(t.lab)
                try t.model.render(height: h, width: w, context: t.context, map: map, method: method, threads: 3, io: rows.io)
                #expect(rows.writes.allSatisfy { $0 == 1 }, "\(method) \(map): every row written once")
                // Each band reads its own row just before writing it; what must not happen is a
                // guide read (a row of another band) after any output exists. Bands read at most
                // their own h rows, so more reads after the first write than rows means the guide.
                #expect(rows.readsAfterFirstWrite <= h)
                var worst: Float = 0
                for y in 0..<h {
                    let out = try #require(rows.output[y])
                    for x in 0..<w { for c in 0..<3 { worst = max(worst, abs(out[3 * x + c] - expected[c, y, x])) } }
                }
                #expect(worst == 0, "\(method) \(map): streamed differs by \(worst)")
            }
        }
    }

    @Test func onlyTheSelectedRowsAreReadAndWritten() throws {
        let t = try GuidedRenderTests()
        let (h, w) = (GuidedRenderTests.height, GuidedRenderTests.width)
        let plan = try t.model.plan(height: h, width: w, context: t.context, method: .exact, threads: 2) { _, _ in }
        let full = Rows(t.lab)
        try t.model.render(plan, context: t.context, map: .soft, threads: 1, io: full.io)
        let selected = [3..<9, 9..<10, 50..<51, 170..<180]
        let rows = Rows(t.lab)
        try t.model.render(plan, context: t.context, map: .soft, threads: 3, io: rows.io, rows: selected)
        let expected = Set(selected.flatMap { Array($0) })
        #expect(rows.writes.enumerated().allSatisfy { y, n in n == (expected.contains(y) ? 1 : 0) })
        for y in expected { #expect(rows.output[y] == full.output[y], "row \(y)") }
        for bad in [[0..<10, 5..<12], [170..<181], [-1..<2], [20..<30, 0..<5]] {
            #expect(throws: ModelError.self) {
                try t.model.render(plan, context: t.context, map: .soft, threads: 2, io: rows.io, rows: bad)
            }
        }
    }

    /// A re-render of a repainted rectangle of a label map, guided or exact: only the rectangle's
    /// columns of its rows are read and written, and over the first render's output they give the
    /// full render.
    @Test(arguments: [true, false]) func columnsNarrowALabelRender(guided: Bool) throws {
        let t = try GuidedRenderTests()
        let (h, w) = (GuidedRenderTests.height, GuidedRenderTests.width)
        let method: RenderMethod = guided ? .guided(GuidedRenderTests.settings) : .exact
        let plan = try t.model.plan(height: h, width: w, context: t.context, method: method, threads: 2) { y, row in
            for i in 0..<row.count {
                let x = row.x + i
                (row.l[i], row.a[i], row.b[i]) = (t.lab[0, y, x], t.lab[1, y, x], t.lab[2, y, x])
            }
        }
        #expect(plan.isGuided == guided)
        let before = (0..<(h * w)).map { UInt8(($0 % w) * 2 / w) }
        let (xs, ys) = (37..<161, 20..<95)
        var after = before
        for y in ys { for x in xs { after[y * w + x] = 1 - before[y * w + x] } }
        let first = Rows(t.lab), full = Rows(t.lab)
        try t.model.render(plan, context: t.context, map: .labels(before), threads: 2, io: first.io)
        try t.model.render(plan, context: t.context, map: .labels(after), threads: 2, io: full.io)

        let partial = Rows(t.lab)
        partial.output = first.output
        let columns = (0..<h).map { ys.contains($0) ? xs : 0..<0 }
        try t.model.render(plan, context: t.context, map: .labels(after), threads: 3, io: partial.io, rows: [ys], columns: columns)
        for y in 0..<h {
            #expect(partial.writes[y] == (ys.contains(y) ? 1 : 0), "row \(y)")
            if ys.contains(y) {
                #expect(partial.readColumns[y] == xs && partial.writtenColumns[y] == xs, "row \(y)")
            }
            #expect(partial.output[y] == full.output[y], "row \(y)")
        }
        // The repaint changed the output, so equality above is not the first render's.
        #expect(first.output[ys.lowerBound] != full.output[ys.lowerBound])
        // Columns outside the photo, or not one range per row, are refused.
        #expect(throws: ModelError.self) {
            try t.model.render(plan, context: t.context, map: .labels(after), threads: 1, io: partial.io, rows: [ys],
                               columns: Array(repeating: 0..<(w + 1), count: h))
        }
        #expect(throws: ModelError.self) {
            try t.model.render(plan, context: t.context, map: .labels(after), threads: 1, io: partial.io, rows: [ys], columns: [xs])
        }
    }

    @Test func emptyPhotoIsRefused() throws {
        let t = try GuidedRenderTests()
        let rows = Rows(Tensor(channels: 3, height: 1, width: 1))
        #expect(throws: ModelError.self) {
            try t.model.render(height: 0, width: 5, context: t.context, map: .argmax, method: .exact, threads: 1, io: rows.io)
        }
    }
}
