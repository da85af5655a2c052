import Foundation
import Testing
@testable import Inference

/// The shared trunk file as the catalog meets it: told apart from heads by its format, paired with a
/// head only when both name the same source weights, and named by the head as a bare file name.
@Suite struct TrunkFileTests {
    static let headSHA = "7aee2671da19e570a6fe97197279c957caef7a932ba04823b0d9322d51171023"  // tiny-model's trunk_sha256

    static func trunkFile(source: String) throws -> SafetensorsFile {
        try EmbeddedTrunkTests.withMetadata("tiny-trunk.safetensors", ["format": TrunkFileFormat.name, "source_sha256": source])
    }

    @Test func aTrunkFileIsRecognisedByItsFormatAndAHeadIsNot() throws {
        #expect(TrunkFileFormat.matches(try Self.trunkFile(source: Self.headSHA)))
        #expect(!TrunkFileFormat.matches(try Fixtures.open("tiny-model.safetensors")))
        #expect(!TrunkFileFormat.matches(try Fixtures.open("tiny-trunk.safetensors")))  // no metadata: a plain trunk
    }

    @Test func theShippedTrunkIsATrunkFileOfTheWeightsTheShippedHeadsWereTrainedOn() throws {
        let shipped = try SafetensorsFile(path: Fixtures.realTrunkPath)
        #expect(TrunkFileFormat.matches(shipped))
        #expect(shipped.metadata["source_sha256"] == Self.headSHA)
        #expect(try shipped.info("conv1.weight").dtype == .f32)
    }

    @Test func aHeadLoadsOnTheTrunkItWasTrainedOn() throws {
        let model = try SAAdjustModel(trunk: try Self.trunkFile(source: Self.headSHA), head: try Fixtures.open("tiny-model.safetensors"))
        #expect(model.trunk.sourceSHA256 == Self.headSHA)
    }

    @Test func aHeadRefusesATrunkOfOtherWeights() throws {
        let other = String(repeating: "0", count: 64)
        #expect(throws: ModelError.trunkMismatch(headExpects: Self.headSHA, trunkHolds: other)) {
            try SAAdjustModel(trunk: try Self.trunkFile(source: other), head: try Fixtures.open("tiny-model.safetensors"))
        }
    }

    @Test func aHeadWithoutTrunkOrTrunkPathSaysSo() throws {
        #expect(throws: ModelError.noTrunk) {
            try SAAdjustModel(head: try Fixtures.open("tiny-model.safetensors"), trunkPath: nil)
        }
    }

    @Test func theTrunkAHeadNamesIsABareFileName() throws {
        var metadata = try Fixtures.open("tiny-model.safetensors").metadata
        #expect(try ModelDescription(metadata: metadata).trunkFile == "resnet50-imagenet-trunk.safetensors")
        for name in ["../weights/trunk.safetensors", "/etc/passwd", "..", ""] {
            metadata["trunk"] = name
            #expect(throws: ModelError.invalidMetadata(key: "trunk", value: name)) { try ModelDescription(metadata: metadata) }
        }
        metadata["trunk"] = "embedded"
        #expect(try ModelDescription(metadata: metadata).trunkFile == nil)
    }
}
