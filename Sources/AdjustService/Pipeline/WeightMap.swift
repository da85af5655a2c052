import Imaging
import Inference

/// Per-pixel weights over the K presets (each pixel sums to 1): a soft map a user painted with
/// blended brushes. The engine mixes presets with exactly these weights.
struct WeightMap: Sendable {
    let planes: Tensor

    /// `channels` holds K interleaved 8-bit weights per pixel at the map's own size. Each pixel is
    /// normalised to sum 1 there, then the planes are resized to the photo with the triangle filter,
    /// whose non-negative taps sum to 1, so the resized weights still sum to 1.
    init(interleaved channels: [UInt8], presetCount k: Int, width: Int, height: Int,
         photoWidth: Int, photoHeight: Int) throws(AdjustError) {
        let n = width * height
        precondition(channels.count == n * k)
        var planar = PlanarImage(width: width, height: height, channels: k)
        var empty = 0
        var firstEmpty = (x: 0, y: 0)
        planar.data.withUnsafeMutableBufferPointer { dst in
            for i in 0..<n {
                var sum = 0
                for c in 0..<k { sum += Int(channels[i * k + c]) }
                guard sum > 0 else {
                    if empty == 0 { firstEmpty = (i % width, i / width) }
                    empty += 1
                    continue
                }
                let inv = 1 / Float(sum)
                for c in 0..<k { dst[c * n + i] = Float(channels[i * k + c]) * inv }
            }
        }
        guard empty == 0 else {
            let count = empty == 1 ? "1 pixel (at" : "\(empty) pixels (the first at"
            throw .invalidMap("\(count) \(firstEmpty.x),\(firstEmpty.y)) \(empty == 1 ? "has" : "have") zero weight for every preset; each pixel needs a positive weight for at least one of the K = \(k) presets")
        }
        let resized = width == photoWidth && height == photoHeight
            ? planar
            : Resampler.resize(planar, width: photoWidth, height: photoHeight, filter: .triangle)
        planes = Tensor(shape: TensorShape(channels: k, height: photoHeight, width: photoWidth), values: resized.data)
    }

    /// Mean weight of each preset over the photo.
    func coverage() -> [Double] {
        let plane = planes.height * planes.width
        return planes.withUnsafeBufferPointer { p in
            (0..<planes.channels).map { c in
                var s = 0.0
                for i in 0..<plane { s += Double(p[c * plane + i]) }
                return s / Double(max(1, plane))
            }
        }
    }
}
