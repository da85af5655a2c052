import Imaging
import Inference

/// A per-pixel preset index map: what users paint and what the service returns.
struct LabelMap: Sendable {
    let width: Int
    let height: Int
    let labels: [UInt8]

    init(width: Int, height: Int, labels: [UInt8]) {
        precondition(labels.count == width * height)
        self.width = width
        self.height = height
        self.labels = labels
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

    func coverage(presetCount: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: presetCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts.map { Double($0) / Double(max(1, labels.count)) }
    }

    func png() throws(AdjustError) -> [UInt8] {
        do {
            // Level 1: label maps are long runs of a few values, so zlib's fastest level already
            // compresses them well, several times faster than the default 6 at 12 MP.
            return try PNGEncoder(compressionLevel: 1).encode(pixels: labels, width: width, height: height, channels: 1)
        } catch {
            throw .encoding(error)
        }
    }
}
