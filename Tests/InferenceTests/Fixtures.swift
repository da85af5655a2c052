import Foundation
@testable import Inference

/// Fixture files (written by training/fixtures.py and Fixtures/make_real_trunk_fixture.py), found next
/// to this source file so the tests need no bundle resources.
enum Fixtures {
    static let directory: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        return parts.joined(separator: "/") + "/Fixtures"
    }()

    static func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// The shipped trunk, models/ under the package root (Tests/InferenceTests/ is two levels down).
    static let realTrunkPath: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/models/resnet50-imagenet-trunk.safetensors"
    }()

    static func open(_ name: String) throws -> SafetensorsFile { try SafetensorsFile(path: path(name)) }
}

/// Max |a − b| and max |b|, for absolute and relative error figures.
struct Comparison: CustomStringConvertible {
    let maxAbs: Float
    let maxRef: Float
    var relative: Float { maxAbs / max(maxRef, 1e-12) }
    var description: String { "max abs \(maxAbs), max |ref| \(maxRef), rel \(relative)" }

    init(_ a: [Float], _ b: [Float]) {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        var m: Float = 0, r: Float = 0
        for i in 0..<a.count {
            m = max(m, abs(a[i] - b[i]))
            r = max(r, abs(b[i]))
        }
        maxAbs = m
        maxRef = r
    }
}

/// (h, w, C) channels-last reference → CHW order, to compare with the engine's layout.
func channelsLastToCHW(_ v: [Float], h: Int, w: Int, c: Int) -> [Float] {
    var out = [Float](repeating: 0, count: v.count)
    for y in 0..<h { for x in 0..<w { for k in 0..<c { out[(k * h + y) * w + x] = v[(y * w + x) * c + k] } } }
    return out
}
