import Foundation
import Testing
@testable import Inference

/// The shipped MSRA ResNet-50 trunk (models/resnet50-imagenet-trunk.safetensors) against the PyTorch
/// reference (Fixtures/real-trunk-64.safetensors, made by Fixtures/make_real_trunk_fixture.py from the
/// same fp32 values) on a fixed 64x64 input.
@Suite struct RealTrunkTests {
    @Test func layer2AndLayer3MatchPyTorch() throws {
        let trunk = try ResNetTrunk(file: SafetensorsFile(path: Fixtures.realTrunkPath))
        #expect(trunk.channels == [256, 512, 1024] && trunk.layers.map(\.count) == [3, 4, 6])
        let fx = try Fixtures.open("real-trunk-64.safetensors")
        var scratch = WorkerScratch(workers: 2)
        let f = trunk.forward(rgb: try fx.tensor("rgb"), scratch: &scratch)
        for (name, t) in [("layer2", f.layer2), ("layer3", f.layer3)] {
            let ref = try fx.floats(name)
            let c = Comparison(t.values, ref)
            print("parity real \(name): \(c)")
            #expect(c.relative <= 1e-4, "\(name): \(c)")
        }
    }
}
