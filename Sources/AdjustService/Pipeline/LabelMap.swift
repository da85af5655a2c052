import Imaging
import Inference

/// A per-pixel preset index map: what users paint and what the service returns.
struct LabelMap: Sendable {
    let width: Int
    let height: Int
    let labels: [UInt8]

    /// The most probable preset per pixel of K probability planes.
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

    /// Decodes a user's PNG label image and resizes it (nearest neighbour) to the photo.
    init(png: [UInt8], presetCount: Int, width: Int, height: Int) throws(AdjustError) {
        let decoded: DecodedImage
        do {
            decoded = try PNGDecoder().decode(png)
        } catch {
            throw .invalidMap("not a readable PNG (\(error))")
        }
        let source = decoded.image
        guard source.width > 0, source.height > 0 else { throw .invalidMap("the map is empty") }
        // A label image is gray: decoded to RGB its three channels are equal.
        var sourceLabels = [UInt8](repeating: 0, count: source.width * source.height)
        var outOfRange = 0
        var largest: UInt8 = 0
        for i in 0..<sourceLabels.count {
            let r = source.pixels[3 * i], g = source.pixels[3 * i + 1], b = source.pixels[3 * i + 2]
            guard r == g && g == b else {
                throw .invalidMap("a label map must be a grayscale image of preset indices 0..\(presetCount - 1); pixel \(i % source.width),\(i / source.width) has colour (\(r),\(g),\(b))")
            }
            if Int(r) >= presetCount {
                outOfRange += 1
                largest = max(largest, r)
            }
            sourceLabels[i] = r
        }
        guard outOfRange == 0 else {
            throw .invalidMap("\(outOfRange) pixels have preset index \(largest) or similar, but this style has K = \(presetCount) presets (indices 0..\(presetCount - 1))")
        }
        self.width = width
        self.height = height
        var labels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            let sy = min(source.height - 1, y * source.height / height)
            for x in 0..<width {
                labels[y * width + x] = sourceLabels[sy * source.width + min(source.width - 1, x * source.width / width)]
            }
        }
        self.labels = labels
    }

    /// K one-hot planes, the form the engine mixes presets with.
    func oneHot(presetCount: Int) -> Tensor {
        let plane = width * height
        var values = [Float](repeating: 0, count: presetCount * plane)
        for i in 0..<plane { values[Int(labels[i]) * plane + i] = 1 }
        return Tensor(shape: TensorShape(channels: presetCount, height: height, width: width), values: values)
    }

    func coverage(presetCount: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: presetCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts.map { Double($0) / Double(max(1, labels.count)) }
    }

    func png() throws(AdjustError) -> [UInt8] {
        do {
            return try PNGEncoder().encode(pixels: labels, width: width, height: height, channels: 1)
        } catch {
            throw .encoding(error)
        }
    }
}
