/// Bilinear resizing of planar Float CHW data, bit-for-bit the arithmetic of
/// PyTorch's `F.interpolate(mode="bilinear", align_corners=False)` on CPU
/// (no antialiasing): the inference engine's feature maps must upsample
/// exactly as they did in training.
///
/// For output index d the source coordinate is
/// `src = max(scale · (d + 0.5) − 0.5, 0)` with `scale = in / out` in Float;
/// `i0 = ⌊src⌋`, `i1 = i0 + (i0 < in − 1 ? 1 : 0)`, `λ1 = src − i0`,
/// `λ0 = 1 − λ1`; and `out = (x00·w0 + x01·w1)·h0 + (x10·w0 + x11·w1)·h1`.
public enum BilinearInterpolator {
    public static func resize(_ image: PlanarImage, width: Int, height: Int) -> PlanarImage {
        precondition(width > 0 && height > 0 && image.width > 0 && image.height > 0)
        var out = PlanarImage(width: width, height: height, channels: image.channels)
        image.data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                resize(src, channels: image.channels, height: image.height, width: image.width,
                       into: dst, outHeight: height, outWidth: width)
            }
        }
        return out
    }

    /// The buffer form, for tensors owned elsewhere. `source` holds
    /// `channels × height × width` floats, `destination` `channels × outHeight × outWidth`.
    public static func resize(
        _ source: UnsafeBufferPointer<Float>, channels: Int, height: Int, width: Int,
        into destination: UnsafeMutableBufferPointer<Float>, outHeight: Int, outWidth: Int
    ) {
        precondition(source.count >= channels * height * width)
        precondition(destination.count >= channels * outHeight * outWidth)
        let xs = taps(inSize: width, outSize: outWidth)
        let ys = taps(inSize: height, outSize: outHeight)
        let s = source.baseAddress!, d = destination.baseAddress!
        for c in 0..<channels {
            let plane = s + c * height * width
            let outPlane = d + c * outHeight * outWidth
            for oy in 0..<outHeight {
                let row0 = plane + ys.index0[oy] * width
                let row1 = plane + ys.index1[oy] * width
                let h0 = ys.lambda0[oy], h1 = ys.lambda1[oy]
                let o = outPlane + oy * outWidth
                for ox in 0..<outWidth {
                    let x0 = xs.index0[ox], x1 = xs.index1[ox]
                    let w0 = xs.lambda0[ox], w1 = xs.lambda1[ox]
                    let top = row0[x0] * w0 + row0[x1] * w1
                    let bottom = row1[x0] * w0 + row1[x1] * w1
                    o[ox] = top * h0 + bottom * h1
                }
            }
        }
    }

    struct Taps {
        var index0: [Int]
        var index1: [Int]
        var lambda0: [Float]
        var lambda1: [Float]
    }

    static func taps(inSize: Int, outSize: Int) -> Taps {
        let scale = Float(inSize) / Float(outSize)
        var taps = Taps(index0: [], index1: [], lambda0: [], lambda1: [])
        taps.index0.reserveCapacity(outSize)
        taps.index1.reserveCapacity(outSize)
        taps.lambda0.reserveCapacity(outSize)
        taps.lambda1.reserveCapacity(outSize)
        for dst in 0..<outSize {
            let raw = scale * (Float(dst) + 0.5) - 0.5
            let src: Float = raw < 0 ? 0 : raw
            let i0 = Int(src)
            let lambda1 = min(max(src - Float(i0), 0), 1)
            taps.index0.append(i0)
            taps.index1.append(i0 + (i0 < inSize - 1 ? 1 : 0))
            taps.lambda1.append(lambda1)
            taps.lambda0.append(1 - lambda1)
        }
        return taps
    }
}
