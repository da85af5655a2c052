import CBLAS

/// Guided upsampling of the colour pass (bilateral guided upsampling, simplified to local fits):
/// the exact head runs on a point-sampled guide; its residual out − lab is fitted, per grid node
/// (spatial cell × luminance bin) and per residual set (preset or context), by a 3×4 affine map of
/// (L, a, b, 1); at full resolution each pixel's coefficients are trilinearly interpolated from the
/// 2 × 2 × 2 nodes around it (x, y, L) and applied: ~60 multiply-adds instead of the head's d tanh.
/// Fitting one transform per preset keeps the map exact: the pixel's own label (or weights) picks
/// the preset's transform, so map boundaries stay pixel-sharp at full resolution.
struct AffineColourGrid: Sendable {
    let sets: Int
    let gridHeight: Int
    let gridWidth: Int
    let bins: Int
    /// sets × gridHeight × gridWidth × bins × SA_GUIDED_NODE floats, Lab units (see colour_kernels.h).
    let coefficients: AlignedBuffer

    static let node = Int(SA_GUIDED_NODE)
    var rowStride: Int { gridWidth * bins * Self.node }
    var setStride: Int { gridHeight * rowStride }

    /// Point-samples the full-resolution Lab planes at the guide size (the pixel nearest each guide
    /// pixel centre): the fit sees real pixel colours, not averages that never occur in the photo.
    static func guide(of lab: UnsafePointer<Float>, height h: Int, width w: Int, longSide: Int) -> Tensor {
        let s = Double(min(longSide, max(h, w))) / Double(max(h, w))
        let gh = max(1, Int((Double(h) * s).rounded())), gw = max(1, Int((Double(w) * s).rounded()))
        var g = Tensor(channels: 3, height: gh, width: gw)
        let xs = (0..<gw).map { min(w - 1, Int((Double($0) + 0.5) * Double(w) / Double(gw))) }
        g.withUnsafeMutableBufferPointer { dst in
            for c in 0..<3 {
                for y in 0..<gh {
                    let sy = min(h - 1, Int((Double(y) + 0.5) * Double(h) / Double(gh)))
                    let src = lab + (c * h + sy) * w
                    let row = dst.baseAddress! + (c * gh + y) * gw
                    for x in 0..<gw { row[x] = src[xs[x]] }
                }
            }
        }
        return g
    }

    /// Fits the grid to the exact head on `guide` (3 Lab planes).
    static func fit(head: ColourHead, context: ContextResult, guide: Tensor, settings: GuidedRenderSettings) -> AffineColourGrid {
        let (h, w) = (guide.height, guide.width)
        let gh = max(2, (h + settings.cellSize - 1) / settings.cellSize)
        let gw = max(2, (w + settings.cellSize - 1) / settings.cellSize)
        let bins = settings.luminanceBins, sets = head.residualSets
        precondition(sets <= 255, "guided upsampling takes at most 255 presets (one byte per label)")
        let statCount = 10 + 12 * sets
        let statRow = gw * bins * statCount
        let stats = AlignedBuffer(count: gh * statRow)
        let rowTaps = BilinearTaps(source: gh, destination: h)
        let colTaps = BilinearTaps(source: gw, destination: w)
        var scratch = ScratchBuffer()
        let plane = h * w
        guide.withUnsafeBufferPointer { lab in
        colTaps.lower.withUnsafeBufferPointer { lo in
        colTaps.upper.withUnsafeBufferPointer { hi in
        colTaps.weight.withUnsafeBufferPointer { cw in
            let l = lab.baseAddress!
            head.residualRows(lab: l, height: h, width: w, context: context, rows: 0..<h, scratch: &scratch) { y, residuals in
                let i = y * w
                sa_guided_accumulate_row(
                    Int32(w), Int32(sets), Int32(bins), l + i, l + plane + i, l + 2 * plane + i, residuals,
                    lo.baseAddress, hi.baseAddress, cw.baseAddress, rowTaps.weight[y],
                    stats.pointer + Int(rowTaps.lower[y]) * statRow, stats.pointer + Int(rowTaps.upper[y]) * statRow)
            }
        }}}}
        let grid = AffineColourGrid(
            sets: sets, gridHeight: gh, gridWidth: gw, bins: bins,
            coefficients: AlignedBuffer(count: sets * gh * gw * bins * node))
        // Per node and set: C = (G + λI)⁻¹ (H + λ C_cell), C_cell the cell's all-bins fit (colour_kernels.h).
        sa_guided_solve(Int32(gh * gw), Int32(bins), Int32(sets), stats.pointer, Double(settings.ridge),
                        grid.coefficients.pointer, grid.setStride)
        return grid
    }

    /// Rows `rows` of the full-resolution output: out = lab + r̂(pixel) for the pixel's map.
    func apply(
        lab: UnsafePointer<Float>, height h: Int, width w: Int, map: MapSource, context: ContextResult,
        rows: Range<Int>, into out: UnsafeMutablePointer<Float>, scratch: inout ScratchBuffer
    ) {
        let plane = h * w
        let rowTaps = BilinearTaps(source: gridHeight, destination: h)
        let colTaps = BilinearTaps(source: gridWidth, destination: w)
        let mapMode = context.mode == .map
        let sampler = MapRowSampler(context, height: h, width: w)
        let k = sets
        let needsLogits = mapMode && (map.isArgmax || map.isSoft)
        let logitsCount = needsLogits ? (sampler.rowBufferCount + w * k + 15) & ~15 : 0
        let base = scratch.pointer(count: sets * rowStride + logitsCount + w * k + 3 * w)
        let rowGrids = base, pieceRows = base + sets * rowStride
        let logits = pieceRows + (needsLogits ? sampler.rowBufferCount : 0)
        let weights = base + sets * rowStride + logitsCount
        let inputCopy = weights + w * k  // 3 × w: the weighted path reads its input after writing out
        var labels = [UInt8](repeating: 0, count: w)
        colTaps.lower.withUnsafeBufferPointer { lo in
        colTaps.upper.withUnsafeBufferPointer { hi in
        colTaps.weight.withUnsafeBufferPointer { cw in
        labels.withUnsafeMutableBufferPointer { lb in
            let labelRow = lb.baseAddress!
            var g = SAGuidedRow(
                width: Int32(w), bins: Int32(bins), rowGrids: rowGrids, setStride: rowStride,
                xLower: lo.baseAddress, xUpper: hi.baseAddress, xWeight: cw.baseAddress)
            for y in rows {
                let i = y * w
                let (inL, inA, inB) = (lab + i, lab + plane + i, lab + 2 * plane + i)
                let (outL, outA, outB) = (out + i, out + plane + i, out + 2 * plane + i)
                for s in 0..<sets {
                    let grid = coefficients.pointer + s * setStride
                    sa_lerp(grid + Int(rowTaps.lower[y]) * rowStride, grid + Int(rowTaps.upper[y]) * rowStride,
                            rowTaps.weight[y], rowStride, rowGrids + s * rowStride)
                }
                var labelled: UnsafePointer<UInt8>? = nil
                if !mapMode {
                    labelled = nil
                } else {
                    switch map {
                    case .argmax:
                        sampler.values(row: y, rowBuffers: pieceRows, into: logits)
                        MapRowSampler.argmax(logits, count: k, width: w, into: labelRow)
                        labelled = UnsafePointer(labelRow)
                    case let .labels(l):
                        labelled = l + i
                    case let .planes(m):
                        labelled = Self.oneHotLabels(m + i, plane: plane, count: k, width: w, into: labelRow) ? UnsafePointer(labelRow) : nil
                        if labelled == nil {
                            weightedApply(&g, inL, inA, inB, copy: inputCopy, weights: (0..<k).map { m + $0 * plane + i }, outL, outA, outB)
                            continue
                        }
                    case .soft:
                        sampler.values(row: y, rowBuffers: pieceRows, into: logits)
                        for x in 0..<w {
                            ContextResult.softmax(logits + x * k, count: k)
                            for kk in 0..<k { weights[kk * w + x] = logits[x * k + kk] }
                        }
                        weightedApply(&g, inL, inA, inB, copy: inputCopy, weights: (0..<k).map { UnsafePointer(weights + $0 * w) }, outL, outA, outB)
                        continue
                    }
                }
                sa_guided_apply_row(&g, inL, inA, inB, labelled, outL, outA, outB)
            }
        }}}}
    }

    /// out = lab + Σ_k w_k r_k(pixel). The input row is copied first, so `out` may be the input
    /// itself (in-place rendering): later presets must still see the original colours.
    private func weightedApply(
        _ g: inout SAGuidedRow, _ inL: UnsafePointer<Float>, _ inA: UnsafePointer<Float>, _ inB: UnsafePointer<Float>,
        copy: UnsafeMutablePointer<Float>, weights: [UnsafePointer<Float>], _ outL: UnsafeMutablePointer<Float>,
        _ outA: UnsafeMutablePointer<Float>, _ outB: UnsafeMutablePointer<Float>
    ) {
        let w = Int(g.width)
        let (cL, cA, cB) = (copy, copy + w, copy + 2 * w)
        cL.update(from: inL, count: w)
        cA.update(from: inA, count: w)
        cB.update(from: inB, count: w)
        outL.update(from: cL, count: w)
        outA.update(from: cA, count: w)
        outB.update(from: cB, count: w)
        for (s, wk) in weights.enumerated() {
            sa_guided_accumulate_weighted_row(&g, cL, cA, cB, Int32(s), wk, outL, outA, outB)
        }
    }

    /// Whether every pixel of a row of K planes is one-hot; if so, its labels.
    private static func oneHotLabels(_ m: UnsafePointer<Float>, plane: Int, count k: Int, width w: Int,
                                     into labels: UnsafeMutablePointer<UInt8>) -> Bool {
        for x in 0..<w {
            var label = -1
            for kk in 0..<k {
                let v = m[kk * plane + x]
                if v == 1, label < 0 { label = kk } else if v != 0 { return false }
            }
            guard label >= 0 else { return false }
            labels[x] = UInt8(label)
        }
        return true
    }
}
