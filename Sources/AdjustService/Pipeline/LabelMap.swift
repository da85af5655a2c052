import Imaging
import Inference

/// A per-pixel preset index map: what users paint and what the service returns.
struct LabelMap: Sendable {
    let width: Int
    let height: Int
    let labels: [UInt8]
    /// A PNG file that holds exactly these labels (8-bit gray, as the user sent it), returned by
    /// `png()` instead of encoding them again: handing a user's map back as it came costs nothing,
    /// where encoding 12 M labels costs ~35 ms of zlib.
    private let sourcePNG: [UInt8]?

    init(width: Int, height: Int, labels: [UInt8], sourcePNG: [UInt8]? = nil) {
        precondition(labels.count == width * height)
        self.width = width
        self.height = height
        self.labels = labels
        self.sourcePNG = sourcePNG
    }

    /// The most probable preset per pixel of K probability (or weight) planes; ties go to the
    /// lowest index, as torch.argmax.
    init(argmaxOf probabilities: Tensor) {
        width = probabilities.width
        height = probabilities.height
        let plane = width * height
        let k = probabilities.channels
        var labels = [UInt8](repeating: 0, count: plane)
        probabilities.withUnsafeBufferPointer { p in
            labels.withUnsafeMutableBufferPointer { out in
                for c in 1..<max(k, 1) {
                    let base = c * plane
                    for i in 0..<plane where p[base + i] > p[Int(out[i]) * plane + i] { out[i] = UInt8(c) }
                }
            }
        }
        self.labels = labels
        sourcePNG = nil
    }

    /// Nearest-neighbour resize: labels are categories, never blended.
    func resized(width newWidth: Int, height newHeight: Int) -> LabelMap {
        guard newWidth != width || newHeight != height else { return self }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight)
        for y in 0..<newHeight {
            let sy = min(height - 1, y * height / newHeight)
            for x in 0..<newWidth {
                out[y * newWidth + x] = labels[sy * width + min(width - 1, x * width / newWidth)]
            }
        }
        return LabelMap(width: newWidth, height: newHeight, labels: out)
    }

    /// The share of pixels per preset; every label must be below `presetCount` (user maps are
    /// checked on arrival, discovered ones are argmaxes).
    func coverage(presetCount: Int) -> [Double] {
        let total = Double(max(1, labels.count))
        return labels.withUnsafeBufferPointer { l in
            guard l.count > 0 else { return [Double](repeating: 0, count: presetCount) }
            guard (1...8).contains(presetCount) else {
                var counts = [Int](repeating: 0, count: 256)
                for label in l { counts[Int(label)] += 1 }
                return (0..<presetCount).map { Double(counts[$0]) / total }
            }
            // Eight labels per step (SWAR): a word's bytes equal to the preset become zero under
            // xor, and each zero byte leaves exactly its top bit in `zero`, counted by popcount.
            // A histogram's scattered increments, and Swift's byte loops, run a byte at a time
            // (12 M labels at 12 MP).
            // K − 1 passes: the labels are checked to be < K, so the last preset has the rest.
            let counted = (0..<(presetCount - 1)).map { k -> Int in
                let pattern = UInt64(k) &* 0x0101_0101_0101_0101
                let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
                let words = l.count / 8
                let raw = UnsafeRawPointer(l.baseAddress!)
                var count = 0
                for w in 0..<words {
                    let x = raw.loadUnaligned(fromByteOffset: 8 * w, as: UInt64.self) ^ pattern
                    let zero = ~(((x & low7) &+ low7) | x | low7)
                    count &+= zero.nonzeroBitCount
                }
                for i in (8 * words)..<l.count where l[i] == UInt8(k) { count += 1 }
                return count
            }
            return (counted + [l.count - counted.reduce(0, +)]).map { Double($0) / total }
        }
    }

    /// Whether `png()` is free: the labels came as a PNG that is returned as it is.
    var hasSourcePNG: Bool { sourcePNG != nil }

    func png() throws(AdjustError) -> [UInt8] {
        if let sourcePNG { return sourcePNG }
        do {
            // Level 1, unfiltered: label maps are long runs of a few values, so zlib's fastest
            // level compresses them well as they are; the default level 6 and libpng's adaptive
            // filtering (every filter tried on every row) cost several times more at 12 MP.
            return try PNGEncoder(compressionLevel: 1, rowFilter: .none).encode(pixels: labels, width: width, height: height, channels: 1)
        } catch {
            throw .encoding(error)
        }
    }
}
