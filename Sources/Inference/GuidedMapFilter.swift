import CBLAS
import Dispatch

/// Edge-aware refinement of a K-preset map with the photo as the guide: the guided filter of He,
/// Sun and Tang (TPAMI 2013) in its fast form (He & Sun 2015). On a point-sampled guide of the photo
/// (at most `guideLongSide` on the long side), each preset's weight p_k is fitted in every window as an
/// affine function of the guide's colour, q_k = a_k · rgb + b_k; the window-averaged coefficients are
/// bilinearly upsampled and applied to every full-resolution pixel's own colour, and the pixel takes
/// the preset of the largest q_k. So the map changes where the photo's colour changes, at full
/// resolution, while nothing at full resolution is stored but the labels (one byte a pixel).
/// `training/map_refine.py` is the reference (GuidedMapFilterParityTests).
public struct GuidedMapFilter: Sendable {
    /// Per guide position, per preset: (a_r, a_g, a_b) for 8-bit colour (already divided by 255), b.
    let coefficients: ChannelsLastMap
    public var presetCount: Int { coefficients.channels / 4 }

    /// The guide: the full-resolution pixel nearest each guide pixel's centre (as AffineColourGrid's
    /// guide), 3 planes of RGB in [0, 1], from the photo's interleaved 8-bit RGB (H × W × 3 bytes).
    public static func guide(rgb: [UInt8], height h: Int, width w: Int, longSide: Int) -> Tensor {
        precondition(rgb.count == h * w * 3)
        let (gh, gw) = guideSize(height: h, width: w, longSide: longSide)
        let (ys, xs) = samplePositions(height: h, width: w, guideHeight: gh, guideWidth: gw)
        var g = Tensor(channels: 3, height: gh, width: gw)
        g.withUnsafeMutableBufferPointer { dst in
            for y in 0..<gh {
                for c in 0..<3 {
                    let out = dst.baseAddress! + (c * gh + y) * gw
                    for x in 0..<gw { out[x] = Float(rgb[(ys[y] * w + xs[x]) * 3 + c]) / 255 }
                }
            }
        }
        return g
    }

    /// A user's label map (H × W preset indices < k) at the guide's pixels, as one-hot weights: the
    /// map is refined like the discovered one, so a rough stroke follows the photo's edges.
    public static func weights(labels: [UInt8], presetCount k: Int, height h: Int, width w: Int,
                               guideHeight gh: Int, guideWidth gw: Int) -> Tensor {
        precondition(labels.count == h * w)
        let (ys, xs) = samplePositions(height: h, width: w, guideHeight: gh, guideWidth: gw)
        var t = Tensor(channels: k, height: gh, width: gw)
        t.withUnsafeMutableBufferPointer { dst in
            for y in 0..<gh { for x in 0..<gw { dst[(Int(labels[ys[y] * w + xs[x]]) * gh + y) * gw + x] = 1 } }
        }
        return t
    }

    /// A user's weight planes (K × H × W) at the guide's pixels.
    public static func weights(planes: Tensor, guideHeight gh: Int, guideWidth gw: Int) -> Tensor {
        let (k, h, w) = (planes.channels, planes.height, planes.width)
        let (ys, xs) = samplePositions(height: h, width: w, guideHeight: gh, guideWidth: gw)
        var t = Tensor(channels: k, height: gh, width: gw)
        planes.withUnsafeBufferPointer { src in
            t.withUnsafeMutableBufferPointer { dst in
                for c in 0..<k { for y in 0..<gh { for x in 0..<gw { dst[(c * gh + y) * gw + x] = src[(c * h + ys[y]) * w + xs[x]] } } }
            }
        }
        return t
    }

    /// The photo's row and column nearest each guide pixel's centre.
    static func samplePositions(height h: Int, width w: Int, guideHeight gh: Int, guideWidth gw: Int) -> ([Int], [Int]) {
        ((0..<gh).map { min(h - 1, Int((Double($0) + 0.5) * Double(h) / Double(gh))) },
         (0..<gw).map { min(w - 1, Int((Double($0) + 0.5) * Double(w) / Double(gw))) })
    }

    /// The guide's size for an H×W photo: the long side at most `longSide`, the aspect kept.
    public static func guideSize(height h: Int, width w: Int, longSide: Int) -> (height: Int, width: Int) {
        let s = Double(min(longSide, max(h, w))) / Double(max(h, w))
        return (max(1, Int((Double(h) * s).rounded())), max(1, Int((Double(w) * s).rounded())))
    }

    /// Fits the filter to `weights` (K planes at the guide's size: the map's probabilities, or a
    /// user's map sampled at the guide's pixels) with `guide` (3 planes, RGB in [0, 1]).
    public init(weights p: Tensor, guide: Tensor, settings: MapRefinementSettings) {
        precondition(guide.channels == 3 && p.height == guide.height && p.width == guide.width && p.channels >= 1)
        let (h, w, k) = (guide.height, guide.width, p.channels)
        let r = settings.radius(guideHeight: h, guideWidth: w)
        let n = h * w
        let eps = Float(settings.epsilon)
        let g = guide.withUnsafeBufferPointer { Array($0) }
        let pw = p.withUnsafeBufferPointer { Array($0) }
        let box = { (plane: [Float]) in Self.boxMean(plane, height: h, width: w, radius: r) }
        let meanI = (0..<3).map { c in box(Array(g[c * n..<(c + 1) * n])) }
        // E[I_c I_d] for the 6 pairs c ≤ d, in the order (rr, rg, rb, gg, gb, bb).
        let pairs = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
        let meanII = pairs.map { c, d in box((0..<n).map { g[c * n + $0] * g[d * n + $0] }) }
        var a = [Float](repeating: 0, count: 3 * k * n), b = [Float](repeating: 0, count: k * n)
        for j in 0..<k {
            let pj = Array(pw[j * n..<(j + 1) * n])
            let meanP = box(pj)
            let meanIP = (0..<3).map { c in box((0..<n).map { g[c * n + $0] * pj[$0] }) }
            for i in 0..<n {
                let m0 = meanI[0][i], m1 = meanI[1][i], m2 = meanI[2][i]
                // Σ + εI, symmetric, and its inverse by cofactors (positive definite: ε > 0).
                let s00 = meanII[0][i] - m0 * m0 + eps, s01 = meanII[1][i] - m0 * m1, s02 = meanII[2][i] - m0 * m2
                let s11 = meanII[3][i] - m1 * m1 + eps, s12 = meanII[4][i] - m1 * m2, s22 = meanII[5][i] - m2 * m2 + eps
                let c00 = s11 * s22 - s12 * s12, c01 = s02 * s12 - s01 * s22, c02 = s01 * s12 - s02 * s11
                let c11 = s00 * s22 - s02 * s02, c12 = s01 * s02 - s00 * s12, c22 = s00 * s11 - s01 * s01
                let det = s00 * c00 + s01 * c01 + s02 * c02
                let v0 = meanIP[0][i] - m0 * meanP[i], v1 = meanIP[1][i] - m1 * meanP[i], v2 = meanIP[2][i] - m2 * meanP[i]
                let a0 = (c00 * v0 + c01 * v1 + c02 * v2) / det
                let a1 = (c01 * v0 + c11 * v1 + c12 * v2) / det
                let a2 = (c02 * v0 + c12 * v1 + c22 * v2) / det
                a[(j * 3) * n + i] = a0
                a[(j * 3 + 1) * n + i] = a1
                a[(j * 3 + 2) * n + i] = a2
                b[j * n + i] = meanP[i] - a0 * m0 - a1 * m1 - a2 * m2
            }
        }
        // The window averages of the coefficients, channels-last: per preset a_r, a_g, a_b (for 8-bit
        // colour: divided by 255 here, not per pixel) and b.
        var packed = Matrix(uninitializedRows: n, cols: 4 * k)
        packed.withUnsafeMutableBufferPointer { dst in
            for j in 0..<k {
                for c in 0..<4 {
                    let plane = c < 3 ? Array(a[(j * 3 + c) * n..<(j * 3 + c + 1) * n]) : Array(b[j * n..<(j + 1) * n])
                    let mean = box(plane)
                    let scale: Float = c < 3 ? 1 / 255 : 1
                    for i in 0..<n { dst[i * 4 * k + j * 4 + c] = mean[i] * scale }
                }
            }
        }
        coefficients = ChannelsLastMap(height: h, width: w, data: packed)
    }

    /// The refined labels of an H×W photo (row-major, first maximum of q_k as torch.argmax) from its
    /// interleaved 8-bit RGB, the rows split into `threads` bands.
    public func labels(rgb: [UInt8], height h: Int, width w: Int, threads: Int) -> [UInt8] {
        precondition(rgb.count == h * w * 3)
        return rgb.withUnsafeBufferPointer { p in
            let photo = SendablePointer(pointer: UnsafeMutablePointer(mutating: p.baseAddress!))
            return labels(height: h, width: w, threads: threads) { UnsafePointer(photo.pointer + $0 * w * 3) }
        }
    }

    private func labels(height h: Int, width w: Int, threads: Int, row: @escaping @Sendable (Int) -> UnsafePointer<UInt8>) -> [UInt8] {
        let sampler = PieceSampler(coefficients, height: h, width: w)
        let k = presetCount
        let bands = max(1, min(threads, h))
        return [UInt8](unsafeUninitializedCapacity: h * w) { labels, count in
            let dst = SendablePointer(pointer: labels.baseAddress!)
            let band: @Sendable (Int) -> Void = { band in
                var scratch = ScratchBuffer()
                let buffer = scratch.pointer(count: sampler.rowBufferCount)
                sampler.columns.lower.withUnsafeBufferPointer { lower in
                    sampler.columns.upper.withUnsafeBufferPointer { upper in
                        sampler.columns.weight.withUnsafeBufferPointer { weight in
                            for y in (band * h / bands)..<((band + 1) * h / bands) {
                                sampler.verticalRow(y, into: buffer)
                                sa_guided_map_labels_row(Int32(w), Int32(k), buffer, lower.baseAddress, upper.baseAddress,
                                                         weight.baseAddress, row(y), dst.pointer + y * w)
                            }
                        }
                    }
                }
            }
            if bands == 1 { band(0) } else { DispatchQueue.concurrentPerform(iterations: bands, execute: band) }
            count = h * w
        }
    }

    /// Means over (2r+1)² windows clipped at the borders (divided by the pixels inside), with
    /// double-precision running sums: one pass along rows, one along columns, whatever r.
    static func boxMean(_ x: [Float], height h: Int, width w: Int, radius r: Int) -> [Float] {
        var rows = [Double](repeating: 0, count: h * w)
        var prefix = [Double](repeating: 0, count: max(h, w) + 1)
        for y in 0..<h {
            for i in 0..<w { prefix[i + 1] = prefix[i] + Double(x[y * w + i]) }
            for i in 0..<w { rows[y * w + i] = prefix[min(w, i + r + 1)] - prefix[max(0, i - r)] }
        }
        var out = [Float](repeating: 0, count: h * w)
        for i in 0..<w {
            for y in 0..<h { prefix[y + 1] = prefix[y] + rows[y * w + i] }
            let cols = Double(min(w, i + r + 1) - max(0, i - r))
            for y in 0..<h {
                let count = Double(min(h, y + r + 1) - max(0, y - r)) * cols
                out[y * w + i] = Float((prefix[min(h, y + r + 1)] - prefix[max(0, y - r)]) / count)
            }
        }
        return out
    }
}
