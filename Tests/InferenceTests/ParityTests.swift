import Testing
@_spi(Planes) @testable import Inference

/// Stage-by-stage parity with the PyTorch reference (training/fixtures.py → Fixtures/tiny-*.safetensors):
/// a reduced configuration (base 4, hidden 8, ctx 16, d 8, K 2) with random fp16 weights, fixed photo.
/// Features: max abs error ≤ 1e-4 × max |reference|. Outputs: ≤ 1e-3 in Lab units.
@Suite struct ParityTests {
    let stages: SafetensorsFile
    let model: SAAdjustModel

    init() throws {
        stages = try Fixtures.open("tiny-stages.safetensors")
        model = try SAAdjustModel(trunkPath: Fixtures.path("tiny-trunk.safetensors"),
                                  headPath: Fixtures.path("tiny-model.safetensors"))
    }

    /// working_rgb8 (h, w, 3) uint8 → 3 planes in [0, 1], as the reference's trunk input.
    func workingRGB() throws -> Tensor {
        let v = try stages.floats("working_rgb8")
        let (h, w) = (40, 48)
        return Tensor(shape: TensorShape(channels: 3, height: h, width: w),
                      values: channelsLastToCHW(v, h: h, w: w, c: 3).map { $0 / 255 })
    }

    func expectFeature(_ name: String, _ t: Tensor, channelsLast: Bool = false, tol: Float = 1e-4) throws {
        let info = try stages.info(name)
        var ref = try stages.floats(name)
        if channelsLast {
            ref = channelsLastToCHW(ref, h: info.shape[0], w: info.shape[1], c: info.shape[2])
            #expect([t.height, t.width, t.channels] == info.shape, "\(name) shape")
        } else {
            #expect([t.channels, t.height, t.width] == info.shape, "\(name) shape")
        }
        let c = Comparison(t.values, ref)
        print("parity \(name): \(c)")
        #expect(c.relative <= tol, "\(name): \(c)")
    }

    /// On one worker and split over three (uneven tiles, the two GRU directions side by side).
    @Test(arguments: [1, 3]) func trunkStages(workers: Int) throws {
        var scratch = WorkerScratch(workers: workers)
        let f = model.trunk.forward(rgb: try workingRGB(), scratch: &scratch)
        try expectFeature("trunk.conv1", f.conv1)
        try expectFeature("trunk.layer1", f.layer1)
        try expectFeature("trunk.layer2", f.layer2)
        try expectFeature("trunk.layer3", f.layer3)
    }

    @Test(arguments: [1, 3]) func reNetStages(workers: Int) throws {
        var scratch = WorkerScratch(workers: workers)
        // Fed the reference's layer3 so this test isolates the ReNet.
        let l3 = try stages.tensor("trunk.layer3")
        let s = model.renet.stages(l3, scratch: &scratch)
        try expectFeature("renet.gru_h", s.rows, channelsLast: true)
        try expectFeature("renet.bn_h", s.rowsNormalised, channelsLast: true)
        try expectFeature("renet.gru_v", s.columns, channelsLast: true)
        try expectFeature("renet.bn_v", s.columnsNormalised, channelsLast: true)
        try expectFeature("renet.out", s.output)
    }

    /// The folded per-scale pieces equal map_head · squeeze_s(l2n(f_s)) from the reference's squeeze maps
    /// (map_head read from the exported file; the bias is checked through the logits below).
    @Test(arguments: [1, 3]) func foldedScalePieces(workers: Int) throws {
        let head = try Fixtures.open("tiny-model.safetensors")
        let wm = try head.floats("map_head.weight", shape: [2, 16])
        var scratch = WorkerScratch(workers: workers)
        let f = model.trunk.forward(rgb: try workingRGB(), scratch: &scratch)
        let ctx = model.fold(features: f, renet: model.renet.forward(f.layer3, scratch: &scratch), height: 40, width: 48,
                              scratch: &scratch)
        for (i, name) in ["layer1", "layer2", "layer3", "renet"].enumerated() {
            let info = try stages.info("squeeze.\(name)")
            let sq = try stages.floats("squeeze.\(name)")
            let (c, h, w) = (info.shape[0], info.shape[1], info.shape[2])
            // The reference's renet squeeze includes its bias; the engine carries it in scaleBias.
            let b = name == "renet" ? try head.floats("squeeze.renet.bias", shape: [c]) : [Float](repeating: 0, count: c)
            var expected: [Float] = []
            var got: [Float] = []
            let piece = ctx.scalePieces[i]
            #expect(piece.height == h && piece.width == w && piece.channels == 2)
            for y in 0..<h {
                for x in 0..<w {
                    for k in 0..<2 {
                        var s: Float = 0
                        for j in 0..<c { s += wm[k * c + j] * (sq[(j * h + y) * w + x] - b[j]) }
                        expected.append(s)
                        got.append(piece[y, x, k])
                    }
                }
            }
            let cmp = Comparison(got, expected)
            print("parity folded \(name): \(cmp)")
            #expect(cmp.relative <= 1e-4, "\(name): \(cmp)")
        }
    }

    @Test func presetsAndMapProbabilities() throws {
        let ref = try stages.floats("presets")
        let p = model.head.presets
        let got = (0..<2).flatMap { k in (0..<8).map { p[k, $0] } }
        let c = Comparison(got, ref)
        print("parity presets: \(c)")
        #expect(c.maxAbs <= 1e-5)

        let ctx = try model.context(rgb: try workingRGB())
        let pi = ctx.mapProbabilities(height: 50, width: 60)
        let refPi = try stages.floats("pi")  // (N, K) row-major
        let cmp = Comparison(pi.values, channelsLastToCHW(refPi, h: 50, w: 60, c: 2))
        print("parity pi: \(cmp)")
        #expect(cmp.maxAbs <= 1e-4, "pi: \(cmp)")
    }

    func lab() throws -> Tensor {
        var t = try stages.tensor("lab_unit")
        t.withUnsafeMutableBufferPointer { p in
            for c in 0..<3 { for i in (c * 3000)..<((c + 1) * 3000) { p[i] *= ColourHead.labUnit[c] } }
        }
        return t
    }

    func expectOutput(_ name: String, map: MapChoice) throws {
        let ctx = try model.context(rgb: try workingRGB())
        let out = try model.render(lab: try lab(), context: ctx, map: map)
        var ref = try stages.floats(name)
        for c in 0..<3 { for i in (c * 3000)..<((c + 1) * 3000) { ref[i] *= ColourHead.labUnit[c] } }
        let cmp = Comparison(out.values, ref)
        print("parity \(name) (Lab units): \(cmp)")
        #expect(cmp.maxAbs <= 1e-3, "\(name): \(cmp)")
        // The check must be able to fail: the adjustment is far from the identity.
        let moved = Comparison(try lab().values, ref)
        #expect(moved.maxAbs > 0.1)
    }

    @Test func outputArgmax() throws { try expectOutput("out_argmax", map: .argmax) }
    @Test func outputSoft() throws { try expectOutput("out_soft", map: .soft) }
    @Test func outputUserMap() throws {
        try expectOutput("out_user_map", map: .user(try stages.tensor("user_map")))
    }

    @Test func channelNormalisationGivesUnitVectors() throws {
        let t = Tensor(shape: TensorShape(channels: 3, height: 1, width: 3), values: [3, 0, 1e-9, 4, 0, 0, 0, 2, 0])
        let n = FeatureNormalisation.normalised(t)
        // (3,4,0) → (0.6, 0.8, 0); (0,0,2) → (0,0,1); (1e-9,0,0) stays tiny (norm clamped at 1e-6).
        let c = Comparison(n.values, [0.6, 0, 1e-3, 0.8, 0, 0, 0, 1, 0])
        #expect(c.maxAbs <= 1e-7, "\(c)")
    }

    @Test func renderingInBandsEqualsOnePass() throws {
        let ctx = try model.context(rgb: try workingRGB())
        let whole = try model.render(lab: try lab(), context: ctx, map: .soft)
        var banded = Tensor(shape: whole.shape)
        var ws = RenderWorkspace()
        for start in stride(from: 0, to: 50, by: 7) {
            try model.render(lab: try lab(), context: ctx, map: .soft, rows: start..<min(start + 7, 50), into: &banded, workspace: &ws)
        }
        #expect(banded.values == whole.values)
    }

    @Test func rejectsMismatchedInputs() throws {
        let ctx = try model.context(rgb: try workingRGB())
        #expect(throws: ModelError.self) { try model.render(lab: Tensor(channels: 2, height: 5, width: 5), context: ctx) }
        #expect(throws: ModelError.self) {
            try model.render(lab: try lab(), context: ctx, map: .user(Tensor(channels: 3, height: 50, width: 60)))
        }
        #expect(throws: ModelError.self) { try model.context(rgb: Tensor(channels: 1, height: 40, width: 40)) }
    }

    @Test func trunkOfWrongWidthIsRejected() throws {
        // The real trunk has 64 conv1 channels; the tiny head's U expects 4.
        #expect(throws: ModelError.self) {
            try SAAdjustModel(trunkPath: Fixtures.path("tiny-model.safetensors"), headPath: Fixtures.path("tiny-model.safetensors"))
        }
    }
}
