import Testing
@testable import Inference

/// Models built with one TrunkCache load the shared trunk file once and compute exactly what a model
/// with its own copy computes.
@Suite struct TrunkCacheTests {
    @Test func twoModelsShareOneTrunkAndAgreeWithAnUncachedModel() throws {
        let trunks = TrunkCache()
        let (trunkPath, headPath) = (Fixtures.path("tiny-trunk.safetensors"), Fixtures.path("tiny-model.safetensors"))
        let a = try SAAdjustModel(trunkPath: trunkPath, headPath: headPath, trunks: trunks)
        let b = try SAAdjustModel(trunkPath: trunkPath, headPath: headPath, trunks: trunks)
        #expect(trunks.count == 1)
        let own = try SAAdjustModel(trunkPath: trunkPath, headPath: headPath)
        let values: [Float] = (0..<(3 * 40 * 48)).map { (i: Int) -> Float in Float((i &* 2_654_435_761) % 255) / 255 }
        let rgb = Tensor(shape: TensorShape(channels: 3, height: 40, width: 48), values: values)
        var scratch = WorkerScratch(workers: 1)
        let reference = own.trunk.forward(rgb: rgb, scratch: &scratch).layer3.values
        for model in [a, b] {
            #expect(model.trunk.forward(rgb: rgb, scratch: &scratch).layer3.values == reference)
        }
    }

    @Test func aMissingTrunkFileIsATrunkError() throws {
        let trunks = TrunkCache()
        #expect(throws: ModelError.self) {
            try SAAdjustModel(trunkPath: "/nonexistent/trunk.safetensors", headPath: Fixtures.path("tiny-model.safetensors"),
                              trunks: trunks)
        }
        #expect(trunks.count == 0)
    }
}
