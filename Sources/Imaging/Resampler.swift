/// Antialiased resizing of planar Float images: a separable convolution whose
/// kernel widens with the downscale factor, so every input pixel contributes
/// (no aliasing when shrinking a photo to the working resolution). The
/// weights follow Pillow's `ImagingResample` exactly (same centres, bounds,
/// rounding and normalisation), so `Image.resize` on mode "F" is the reference.
public enum Resampler {
    /// Resizes every plane to `width`×`height`.
    public static func resize(_ image: PlanarImage, width: Int, height: Int,
                              filter: ResampleFilter = .lanczos3) -> PlanarImage {
        precondition(width > 0 && height > 0, "resize to \(width)×\(height)")
        precondition(image.width > 0 && image.height > 0, "resize of an empty image")
        var current = image
        // Like Pillow, a pass whose size does not change is skipped. Unlike
        // Pillow, the vertical pass runs first: it is whole-row arithmetic
        // that vectorises, and shrinking the row count first makes the
        // strided horizontal pass several times cheaper when downscaling.
        // Either order gives the same values up to Float rounding.
        if height != image.height {
            current = vertical(current, height: height, filter: filter)
        }
        if width != image.width {
            current = horizontal(current, width: width, filter: filter)
        }
        return current
    }

    /// An RGB8 photo resized to three planes in [0, 1]: the same values as
    /// `resize(PlanarImage(image), …)` (each byte is scaled by 1/255 as it
    /// is read, then weighted in the same order), without the photo's
    /// full-size float planes (144 MB at 12 MP): the vertical pass reads the
    /// bytes directly, so only the shrunk intermediate is ever float.
    public static func resize(_ image: RGBImage, width: Int, height: Int,
                              filter: ResampleFilter = .lanczos3) -> PlanarImage {
        precondition(width > 0 && height > 0, "resize to \(width)×\(height)")
        precondition(image.width > 0 && image.height > 0, "resize of an empty image")
        guard height != image.height else {
            let planar = PlanarImage(image)
            return width == image.width ? planar : horizontal(planar, width: width, filter: filter)
        }
        let current = vertical(image, height: height, filter: filter)
        return width == image.width ? current : horizontal(current, width: width, filter: filter)
    }

    static func vertical(_ image: RGBImage, height: Int, filter: ResampleFilter) -> PlanarImage {
        let c = coefficients(inSize: image.height, outSize: height, filter: filter)
        let width = image.width
        var out = PlanarImage(width: width, height: height, channels: 3)
        let scale: Float = 1 / 255
        image.pixels.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                let plane = width * height
                for o in 0..<height {
                    let r = dst.baseAddress! + o * width, g = r + plane, b = g + plane
                    let base = o * c.kernelSize
                    for k in 0..<c.counts[o] {
                        let w = c.weights[base + k]
                        let s = src.baseAddress! + (c.starts[o] + k) * width * 3
                        for x in 0..<width {
                            r[x] += (Float(s[3 * x]) * scale) * w
                            g[x] += (Float(s[3 * x + 1]) * scale) * w
                            b[x] += (Float(s[3 * x + 2]) * scale) * w
                        }
                    }
                }
            }
        }
        return out
    }

    /// Normalised weights for each output index o: inputs `starts[o]` ..<
    /// `starts[o] + counts[o]` weighted by `weights[o * kernelSize + k]`.
    struct Coefficients {
        var kernelSize: Int
        var starts: [Int]
        var counts: [Int]
        var weights: [Float]
    }

    static func coefficients(inSize: Int, outSize: Int, filter: ResampleFilter) -> Coefficients {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let kernelSize = Int(support.rounded(.up)) * 2 + 1
        var starts = [Int](repeating: 0, count: outSize)
        var counts = [Int](repeating: 0, count: outSize)
        var weights = [Float](repeating: 0, count: outSize * kernelSize)
        var kernel = [Double](repeating: 0, count: kernelSize)
        for o in 0..<outSize {
            let center = (Double(o) + 0.5) * scale
            // C's (int) truncation, as in Pillow; negatives clamp to 0 anyway.
            let first = max(Int(center - support + 0.5), 0)
            let last = min(Int(center + support + 0.5), inSize)
            let count = max(last - first, 0)
            var total = 0.0
            for k in 0..<count {
                let w = filter.weight((Double(k + first) - center + 0.5) / filterScale)
                kernel[k] = w
                total += w
            }
            for k in 0..<count {
                weights[o * kernelSize + k] = Float(total != 0 ? kernel[k] / total : kernel[k])
            }
            starts[o] = first
            counts[o] = count
        }
        return Coefficients(kernelSize: kernelSize, starts: starts, counts: counts, weights: weights)
    }

    static func horizontal(_ image: PlanarImage, width: Int, filter: ResampleFilter) -> PlanarImage {
        let c = coefficients(inSize: image.width, outSize: width, filter: filter)
        var out = PlanarImage(width: width, height: image.height, channels: image.channels)
        let rows = image.height * image.channels  // planes are stacked rows
        image.data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                c.weights.withUnsafeBufferPointer { weights in
                    c.starts.withUnsafeBufferPointer { starts in
                        c.counts.withUnsafeBufferPointer { counts in
                            for row in 0..<rows {
                                let s = src.baseAddress! + row * image.width
                                let d = dst.baseAddress! + row * width
                                for o in 0..<width {
                                    let first = s + starts[o], w = weights.baseAddress! + o * c.kernelSize
                                    var sum: Float = 0
                                    for k in 0..<counts[o] { sum += first[k] * w[k] }
                                    d[o] = sum
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    static func vertical(_ image: PlanarImage, height: Int, filter: ResampleFilter) -> PlanarImage {
        let c = coefficients(inSize: image.height, outSize: height, filter: filter)
        let width = image.width
        var out = PlanarImage(width: width, height: height, channels: image.channels)
        image.data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                for channel in 0..<image.channels {
                    let plane = src.baseAddress! + channel * image.planeCount
                    let outPlane = dst.baseAddress! + channel * width * height
                    for o in 0..<height {
                        // Whole rows times one weight: contiguous, vectorisable.
                        let d = outPlane + o * width
                        let base = o * c.kernelSize
                        for k in 0..<c.counts[o] {
                            let w = c.weights[base + k]
                            let s = plane + (c.starts[o] + k) * width
                            for x in 0..<width { d[x] += s[x] * w }
                        }
                    }
                }
            }
        }
        return out
    }
}
