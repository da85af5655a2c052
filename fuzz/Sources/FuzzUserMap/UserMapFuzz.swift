@testable import AdjustService

/// The user-map parser (a PNG of labels or K weight channels, validated against the style's K and
/// resized to the photo). Input layout: K (2...8), photo width and height (1...64) from the first
/// three bytes, then the PNG. An accepted map must give the engine either one label byte per photo
/// pixel below K, or K planes at the photo's size whose weights sum to 1 at every pixel; and the
/// label map returned to the user must be the photo's size with indices below K.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUserMap(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 3 else { return 0 }
    let k = 2 + Int(data[0]) % 7
    let width = 1 + Int(data[1]) % 64
    let height = 1 + Int(data[2]) % 64
    let png = Array(UnsafeBufferPointer(start: data + 3, count: size - 3))
    // The parser decodes under the service's standard limits (50 MP); a mutated IHDR declaring
    // tens of megapixels is legal there but would make each run take seconds, so skip those here
    // (the limit itself is the Imaging fuzzer's business).
    if png.count >= 24 {
        let w = png[16..<20].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let h = png[20..<24].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let (pixels, overflow) = w.multipliedReportingOverflow(by: h)
        guard !overflow, pixels <= 1 << 20 else { return 0 }
    }
    let map: UserMap
    do {
        map = try UserMap(png: png, presetCount: k, width: width, height: height)
    } catch {
        guard case .invalidMap = error else { fatalError("a bad map must be .invalidMap, got \(error)") }
        return 0
    }
    let n = width * height
    switch map.choice {
    case .labels(let labels):
        precondition(labels.count == n && labels.allSatisfy { Int($0) < k }, "label bytes: \(labels.count) for \(n) pixels, or an index past K")
    case .user(let planes):
        precondition(planes.channels == k && planes.width == width && planes.height == height, "planes \(planes.shape)")
        planes.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var sum: Float = 0
                for c in 0..<k {
                    precondition(p[c * n + i] >= 0, "negative weight")
                    sum += p[c * n + i]
                }
                precondition(abs(sum - 1) < 1e-3, "weights at pixel \(i) sum to \(sum)")
            }
        }
    default:
        fatalError("a user map must choose labels or user weights")
    }
    let labels = map.labelMap
    precondition(labels.width == width && labels.height == height && labels.labels.count == n, "label map size")
    precondition(labels.labels.allSatisfy { Int($0) < k }, "label index past K")
    let coverage = map.coverage(presetCount: k)
    precondition(coverage.count == k && abs(coverage.reduce(0, +) - 1) < 1e-3, "coverage \(coverage)")
    return 0
}
