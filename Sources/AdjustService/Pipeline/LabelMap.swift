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
        // Four 256-bin histograms over raw bytes, summed at the end: runs of one label would
        // otherwise make every increment wait for the previous one (12 M labels at 12 MP).
        var counts = [Int](repeating: 0, count: 4 * 256)
        counts.withUnsafeMutableBufferPointer { bins in
            labels.withUnsafeBufferPointer { l in
                let n = l.count, body = n & ~3
                var i = 0
                while i < body {
                    bins[Int(l[i])] += 1
                    bins[256 + Int(l[i + 1])] += 1
                    bins[512 + Int(l[i + 2])] += 1
                    bins[768 + Int(l[i + 3])] += 1
                    i += 4
                }
                for j in body..<n { bins[Int(l[j])] += 1 }
            }
        }
        let total = Double(max(1, labels.count))
        return (0..<presetCount).map { (k: Int) -> Double in
            let count: Int = counts[k] + counts[256 + k] + counts[512 + k] + counts[768 + k]
            return Double(count) / total
        }
    }

    func png() throws(AdjustError) -> [UInt8] {
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
