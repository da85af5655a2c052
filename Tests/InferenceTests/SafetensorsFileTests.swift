import Foundation
import Testing
@testable import Inference

/// Builds a safetensors byte image from a header string and a data section.
private func file(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    var n = (declaredLength ?? UInt64(h.count)).littleEndian
    return withUnsafeBytes(of: &n) { Array($0) } + h + data
}

private func error(_ bytes: [UInt8]) -> SafetensorsError? {
    do {
        _ = try SafetensorsFile(bytes: bytes)
        return nil
    } catch {
        return error
    }
}

@Suite struct SafetensorsFileTests {
    @Test func readsTheFixtureHeaderAndValues() throws {
        let f = try Fixtures.open("tiny-trunk.safetensors")
        #expect(f.metadata["base"] == "4")
        #expect(f.tensors["conv1.weight"]?.shape == [4, 3, 7, 7])
        #expect(f.tensors["conv1.weight"]?.dtype == .f16)
        #expect(f.tensors["bn1.num_batches_tracked"]?.shape == [])  // 0-dim scalar
        // Values printed by safetensors/torch for the same file.
        #expect(try Array(f.floats("conv1.weight").prefix(3)) == [-0.004608154296875, -0.020477294921875, 0.006725311279296875])
        #expect(try f.floats("layer1.0.bn1.running_var") == [0.6220703125, 1.1015625, 0.658203125, 1.248046875])
        let s = try Fixtures.open("tiny-stages.safetensors")
        #expect(s.tensors["lab_unit"]?.dtype == .f32)
        let lab = try s.floats("lab_unit")
        #expect(Array(lab.prefix(3)) == [0.6576131582260132, 0.6637445092201233, 0.7325385212898254])
        #expect(try s.floats("working_rgb8").count == 40 * 48 * 3)
    }

    @Test func validMinimalFile() throws {
        let f = try SafetensorsFile(bytes: file(
            header: #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
            data: [0, 0, 128, 63, 0, 0, 0, 192]))
        #expect(try f.floats("a") == [1, -2])
        #expect(f.metadata == ["k": "v"])
    }

    @Test func rejectsShortAndOversizedHeaders() {
        #expect(error([]) == .fileTooSmall(size: 0))
        #expect(error([1, 0, 0]) == .fileTooSmall(size: 3))
        #expect(error(file(header: "{}", declaredLength: 3)) == .headerLengthOutOfRange(declared: 3, fileSize: 10))
        #expect(error(file(header: "{}", declaredLength: UInt64.max)) == .headerLengthOutOfRange(declared: UInt64.max, fileSize: 10))
    }

    @Test func rejectsMalformedJSON() {
        guard case .headerNotUTF8JSON? = error(file(header: #"{"a":"#)) else { Issue.record("truncated JSON accepted"); return }
        guard case .headerNotUTF8JSON? = error(file(header: #"{"a":1,"a":2}"#)) else { Issue.record("duplicate key accepted"); return }
        guard case .headerNotUTF8JSON? = error(file(header: "{} x")) else { Issue.record("trailing bytes accepted"); return }
        #expect(error(file(header: "[1]")) == .headerNotObject)
        #expect(error(file(header: #"{"__metadata__":{"k":1}}"#)) == .invalidMetadata(reason: "value of k is not a string"))
    }

    @Test func rejectsBadEntries() {
        #expect(error(file(header: #"{"a":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
            == .unknownDType(name: "a", dtype: "F17"))
        #expect(error(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
            == .byteCountMismatch(name: "a", expected: 8, actual: 4))
        #expect(error(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]))
            == .dataOutOfBounds(name: "a", end: 8, dataSize: 4))
        #expect(error(file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
            == .invalidEntry(name: "a", reason: "shape entry is not a non-negative integer"))
        #expect(error(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]))
            == .invalidEntry(name: "a", reason: "data_offsets begin 4 after end 0"))
        #expect(error(file(header: #"{"a":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0]))
            == .invalidEntry(name: "a", reason: "data_offsets is not [begin, end]"))
        let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        #expect(error(file(header: overlap, data: [UInt8](repeating: 0, count: 8))) == .overlappingData(name: "b", other: "a"))
    }

    @Test func typedLookupErrors() throws {
        let f = try Fixtures.open("tiny-model.safetensors")
        #expect(throws: SafetensorsError.missingTensor(name: "nope")) { try f.floats("nope") }
        #expect(throws: SafetensorsError.shapeMismatch(name: "U.weight", expected: [8, 8], actual: [8, 7])) {
            try f.matrix("U.weight", rows: 8, cols: 8)
        }
        let i64 = try SafetensorsFile(bytes: file(
            header: #"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)))
        #expect(throws: SafetensorsError.unsupportedDType(name: "a", dtype: .i64)) { try i64.floats("a") }
    }

    @Test func truncatedAndMissingFilesOnDisk() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tiny-model.safetensors")))
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("inference-trunc-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try good.prefix(good.count - 100).write(to: tmp)
        do {
            _ = try SafetensorsFile(path: tmp.path)
            Issue.record("truncated file accepted")
        } catch {
            guard case let .dataOutOfBounds(_, end, size) = error else { Issue.record("got \(error)"); return }
            #expect(end > size)
        }
        try good.prefix(20).write(to: tmp)  // cut inside the header
        #expect(throws: SafetensorsError.headerLengthOutOfRange(declared: 5088, fileSize: 20)) { try SafetensorsFile(path: tmp.path) }
        #expect(throws: SafetensorsError.cannotOpen(path: "/nonexistent/x.safetensors", errno: ENOENT)) {
            try SafetensorsFile(path: "/nonexistent/x.safetensors")
        }
    }

    @Test func modelDescriptionFromMetadata() throws {
        let d = try ModelDescription(metadata: Fixtures.open("tiny-model.safetensors").metadata)
        #expect(d.style == "tiny" && d.mode == .map && d.presetCount == 2 && d.presetNames == ["p0", "p1"])
        #expect(d.rank == 8 && d.contextChannels == 16 && d.gruHidden == 8 && d.workingLongSide == 48)
        #expect(throws: ModelError.unsupportedFormat("x")) { try ModelDescription(metadata: ["format": "x"]) }
        var md = try Fixtures.open("tiny-model.safetensors").metadata
        md["K"] = "zero"
        #expect(throws: ModelError.invalidMetadata(key: "K", value: "zero")) { try ModelDescription(metadata: md) }
        md["K"] = "3"
        #expect(throws: ModelError.invalidMetadata(key: "presets", value: #"["p0", "p1"]"#)) { try ModelDescription(metadata: md) }
    }
}
