import Foundation
import Testing
@_spi(Planes) @testable import Inference

/// A model file that carries its own (fine-tuned) trunk as `trunk.*` tensors, as training/export.py
/// writes for the full recipe, is used without the shared trunk file. The file is built here from the
/// parity fixtures (the same trunk weights, renamed), so its outputs must equal the two-file model's.
@Suite struct EmbeddedTrunkTests {
    /// Header (JSON object) and data section of a safetensors file.
    static func parts(_ path: String) throws -> (header: [String: Any], data: Data) {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
        return (header, bytes.subdata(in: (8 + n)..<bytes.count))
    }

    /// The head file with every trunk tensor appended under `trunk.`.
    static func mergedModelBytes() throws -> [UInt8] {
        var (header, data) = try parts(Fixtures.path("tiny-model.safetensors"))
        let trunk = try parts(Fixtures.path("tiny-trunk.safetensors"))
        let shift = data.count
        for (name, value) in trunk.header where name != "__metadata__" {
            var entry = value as! [String: Any]
            let offsets = entry["data_offsets"] as! [Int]
            entry["data_offsets"] = offsets.map { $0 + shift }
            header["trunk.\(name)"] = entry
        }
        data.append(trunk.data)
        return try bytes(header: header, data: data)
    }

    /// A safetensors file from its header and data section.
    static func bytes(header: [String: Any], data: Data) throws -> [UInt8] {
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }  // keep the data section 8-byte aligned
        var length = UInt64(json.count).littleEndian
        return withUnsafeBytes(of: &length) { Array($0) } + Array(json) + Array(data)
    }

    /// The fixture at `name` with its metadata replaced.
    static func withMetadata(_ name: String, _ metadata: [String: String]) throws -> SafetensorsFile {
        var (header, data) = try parts(Fixtures.path(name))
        header["__metadata__"] = metadata
        return try SafetensorsFile(bytes: try bytes(header: header, data: data))
    }

    @Test func embeddedTrunkGivesTheSameOutputAsTheSharedOne() throws {
        let stages = try Fixtures.open("tiny-stages.safetensors")
        let shared = try SAAdjustModel(trunkPath: Fixtures.path("tiny-trunk.safetensors"),
                                       headPath: Fixtures.path("tiny-model.safetensors"))
        let embedded = try SAAdjustModel(trunk: nil, head: try SafetensorsFile(bytes: try Self.mergedModelBytes()))
        let v = try stages.floats("working_rgb8")
        let rgb = Tensor(shape: TensorShape(channels: 3, height: 40, width: 48),
                         values: channelsLastToCHW(v, h: 40, w: 48, c: 3).map { $0 / 255 })
        var lab = try stages.tensor("lab_unit")
        lab.withUnsafeMutableBufferPointer { p in
            for c in 0..<3 { for i in (c * 3000)..<((c + 1) * 3000) { p[i] *= ColourHead.labUnit[c] } }
        }
        let a = try shared.render(lab: lab, context: try shared.context(rgb: rgb), map: .soft)
        let b = try embedded.render(lab: lab, context: try embedded.context(rgb: rgb), map: .soft)
        #expect(a.values == b.values)
        #expect(Comparison(a.values, lab.values).maxAbs > 0.1)  // a real adjustment, not the identity
    }

    @Test func embeddedTrunkNeedsNoTrunkFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("embedded-\(UUID()).safetensors").path
        try Data(try Self.mergedModelBytes()).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let m = try SAAdjustModel(trunkPath: "/nonexistent/trunk.safetensors", headPath: path)
        #expect(m.trunk.conv1Channels == 4)
    }

    @Test func aHeadWithoutTrunkNeedsOne() throws {
        let head = try Fixtures.open("tiny-model.safetensors")
        do {
            _ = try SAAdjustModel(trunk: nil, head: head)
            Issue.record("a head without a trunk was accepted")
        } catch {
            guard case .trunk(.missingTensor(name: "trunk.conv1.weight")) = error else {
                Issue.record("unexpected error \(error)"); return
            }
        }
    }
}
