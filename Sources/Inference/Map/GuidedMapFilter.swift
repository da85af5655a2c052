import CEngineKernels
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
        rgb.withUnsafeBufferPointer { src in
            g.withUnsafeMutableBufferPointer { dst in
                for y in 0..<gh {
                    let row = src.baseAddress! + ys[y] * w * 3
                    let r = dst.baseAddress! + y * gw, gr = r + gh * gw, b = gr + gh * gw
                    for x in 0..<gw {
                        let p = row + xs[x] * 3
                        r[x] = Float(p[0]) / 255
                        gr[x] = Float(p[1]) / 255
                        b[x] = Float(p[2]) / 255
                    }
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

    /// Fits the filter to `weights` (K planes at the guide's size summing to 1 per pixel: the map's
    /// probabilities, or a user's map sampled at the guide's pixels) with `guide` (3 planes, RGB in
    /// [0, 1]), the window means spread over `threads`. Every step is a C kernel over whole planes
    /// (sa_box_mean, sa_guided_fit_solve). The filter is linear in the weights and maps the constant 1
    /// to itself, so the last preset's coefficients are 1 minus the others' sum: 9 + 8(K − 1) box
    /// means of the guide's size, each O(pixels) whatever the window.
    public init(weights p: Tensor, guide: Tensor, settings: MapRefinementSettings, threads: Int) {
        precondition(guide.channels == 3 && p.height == guide.height && p.width == guide.width && p.channels >= 1)
        let (h, w, k) = (guide.height, guide.width, p.channels)
        let r = Int32(settings.radius(guideHeight: h, guideWidth: w))
        let n = h * w
        let eps = Float(settings.epsilon)
        // Planes of window means: E[I_c] (3), E[I_c I_d] for c ≤ d (6), then per fitted preset E[p],
        // E[I_c p] (3); `fits`: a_r, a_g, a_b, b per fitted preset.
        let fitted = max(1, k - 1)
        let statCount = 9 + 4 * fitted
        let stats = AlignedBuffer(count: statCount * n, zeroed: false), fits = AlignedBuffer(count: 4 * fitted * n, zeroed: false)
        var packed = Matrix(uninitializedRows: n, cols: 4 * k)
        guide.withUnsafeBufferPointer { g in
            p.withUnsafeBufferPointer { pw in
                let guidePlane = { (c: Int) in SendablePointer(pointer: UnsafeMutablePointer(mutating: g.baseAddress! + c * n)) }
                let weightPlane = { (j: Int) in SendablePointer(pointer: UnsafeMutablePointer(mutating: pw.baseAddress! + j * n)) }
                let pairs = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
                // (x, y or nil) of each window mean, plane by plane in the order above.
                var jobs: [(SendablePointer<Float>, SendablePointer<Float>?)] = (0..<3).map { (guidePlane($0), nil) }
                jobs += pairs.map { (guidePlane($0.0), guidePlane($0.1)) }
                for j in 0..<fitted { jobs += [(weightPlane(j), nil)] + (0..<3).map { (guidePlane($0), weightPlane(j)) } }
                let means = SendablePointer(pointer: stats.pointer), ab = SendablePointer(pointer: fits.pointer)
                Self.boxMeans(jobs.map { ($0.0, $0.1, 1) }, height: h, width: w, radius: r, into: means, threads: threads)
                Self.striped(max(1, min(threads, h))) { band in
                    let bands = max(1, min(threads, h))
                    let rows = (band * h / bands)..<((band + 1) * h / bands)
                    let offset = rows.lowerBound * w, count = Int32(rows.count * w)
                    let guideStats = (0..<9).map { UnsafePointer(means.pointer + $0 * n + offset) as UnsafePointer<Float>? }
                    for j in 0..<fitted {
                        let base = means.pointer + (9 + 4 * j) * n + offset
                        let meanIP = (1...3).map { UnsafePointer(base + $0 * n) as UnsafePointer<Float>? }
                        let out = ab.pointer + 4 * j * n + offset
                        sa_guided_fit_solve(count, eps, guideStats, base, meanIP, out, out + n, out + 2 * n, out + 3 * n)
                    }
                }
                // The window averages of the coefficients (into the stats planes, free after the
                // solve), per preset a_r, a_g, a_b (for 8-bit colour: divided by 255 here, not per
                // pixel) and b, then written channels-last with the last preset's derived.
                let coefficientPlanes = (0..<(4 * fitted)).map { plane in
                    (SendablePointer(pointer: ab.pointer + plane * n), nil as SendablePointer<Float>?, Float(plane % 4 < 3 ? 1.0 / 255 : 1))
                }
                Self.boxMeans(coefficientPlanes, height: h, width: w, radius: r, into: means, threads: threads)
                packed.withUnsafeMutableBufferPointer { dst in
                    let out = SendablePointer(pointer: dst.baseAddress!)
                    let bands = max(1, min(threads, h))
                    Self.striped(bands) { band in
                        let first = band * n / bands, end = (band + 1) * n / bands
                        sa_guided_pack(Int32(end - first), Int32(k), Int32(fitted), means.pointer + first, n,
                                       out.pointer + first * 4 * k)
                    }
                }
            }
        }
        withExtendedLifetime((stats, fits)) {}
        coefficients = ChannelsLastMap(height: h, width: w, data: packed)
    }

    /// Window means of each job's plane x (or x·y) times its scale into consecutive planes of `out`,
    /// the jobs spread over `threads`.
    private static func boxMeans(_ jobs: [(x: SendablePointer<Float>, y: SendablePointer<Float>?, scale: Float)],
                                 height h: Int, width w: Int, radius r: Int32, into out: SendablePointer<Float>, threads: Int) {
        let stripes = max(1, min(threads, jobs.count))
        striped(stripes) { stripe in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * w + 1)
            defer { scratch.deallocate() }
            for job in stride(from: stripe, to: jobs.count, by: stripes) {
                sa_box_mean(Int32(h), Int32(w), r, jobs[job].x.pointer, jobs[job].y?.pointer, jobs[job].scale,
                            out.pointer + job * h * w, scratch)
            }
        }
    }

    /// body(0..<count), on the calling thread when count is 1.
    private static func striped(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: count, execute: body) }
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
        // Column segments over which both taps are fixed (a source column pair per segment).
        var starts: [Int32] = [0]
        for x in 1..<max(1, w) where sampler.columns.lower[x] != sampler.columns.lower[x - 1] || sampler.columns.upper[x] != sampler.columns.upper[x - 1] {
            starts.append(Int32(x))
        }
        starts.append(Int32(w))
        let segments = starts
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
                                segments.withUnsafeBufferPointer { starts in
                                    sa_guided_map_labels_row(Int32(w), Int32(k), buffer, lower.baseAddress, upper.baseAddress,
                                                             weight.baseAddress, Int32(starts.count - 1), starts.baseAddress,
                                                             row(y), dst.pointer + y * w)
                                }
                            }
                        }
                    }
                }
            }
            if bands == 1 { band(0) } else { DispatchQueue.concurrentPerform(iterations: bands, execute: band) }
            count = h * w
        }
    }
}
