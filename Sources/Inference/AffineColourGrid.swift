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
        grid.solve(stats: stats.pointer, statCount: statCount, ridge: Double(settings.ridge))
        return grid
    }

    /// Per node and set: C = (G + λI)⁻¹ (H + λ C_cell), where C_cell is the cell's fit over all its
    /// luminance bins, itself (G_cell + λ diag(1,1,1,0))⁻¹ H_cell (slopes pulled toward a constant),
    /// λ = ridge × the cell's pixel weight. In Double: G's entries span several orders of magnitude.
    private func solve(stats: UnsafePointer<Float>, statCount: Int, ridge: Double) {
        var cellG = [Double](repeating: 0, count: 10)
        var cellH = [Double](repeating: 0, count: 12 * sets)
        var cellC = [Double](repeating: 0, count: 12 * sets)
        let unit: [Double] = [100, 110, 110, 1]  // feature scale: coefficients in Lab units are k / unit
        for gy in 0..<gridHeight {
            for gx in 0..<gridWidth {
                let cell = stats + ((gy * gridWidth + gx) * bins) * statCount
                for i in 0..<cellG.count { cellG[i] = 0 }
                for i in 0..<cellH.count { cellH[i] = 0 }
                for b in 0..<bins {
                    let n = cell + b * statCount
                    for i in 0..<10 { cellG[i] += Double(n[i]) }
                    for i in 0..<(12 * sets) { cellH[i] += Double(n[10 + i]) }
                }
                let lambda = ridge * cellG[9] + 1e-9
                for s in 0..<sets {
                    var c = [Double](repeating: 0, count: 12)
                    Self.solve4(g: cellG, h: Array(cellH[(12 * s)..<(12 * s + 12)]), lambda: lambda, prior: nil,
                                interceptRidge: 1e-9, into: &c)
                    for i in 0..<12 { cellC[12 * s + i] = c[i] }
                }
                for b in 0..<bins {
                    let n = cell + b * statCount
                    let g = (0..<10).map { Double(n[$0]) }
                    for s in 0..<sets {
                        let hs = (0..<12).map { Double(n[10 + 12 * s + $0]) }
                        var c = [Double](repeating: 0, count: 12)
                        Self.solve4(g: g, h: hs, lambda: lambda, prior: Array(cellC[(12 * s)..<(12 * s + 12)]),
                                    interceptRidge: lambda, into: &c)
                        // c[3i + ch] is feature i's weight for output ch; a node stores 4 weights per output.
                        let dst = coefficients.pointer + s * setStride + (gy * gridWidth + gx) * bins * Self.node + b * Self.node
                        for ch in 0..<3 {
                            for i in 0..<4 { dst[4 * ch + i] = Float(c[3 * i + ch] / unit[i]) }
                        }
                    }
                }
            }
        }
    }

    /// Solves (G + diag(λ, λ, λ, μ)) C = H + λ·prior for the 4×3 C (Cholesky), G from its 10 distinct
    /// entries, H and C as 4 rows × 3 outputs.
    private static func solve4(g: [Double], h: [Double], lambda: Double, prior: [Double]?, interceptRidge mu: Double,
                               into c: inout [Double]) {
        var a = [Double](repeating: 0, count: 16)
        let idx = [[0, 1, 2, 3], [1, 4, 5, 6], [2, 5, 7, 8], [3, 6, 8, 9]]
        for i in 0..<4 { for j in 0..<4 { a[4 * i + j] = g[idx[i][j]] } }
        for i in 0..<3 { a[5 * i] += lambda }
        a[15] += mu
        var rhs = h
        if let prior {
            for i in 0..<4 {
                let reg = i < 3 ? lambda : mu
                for ch in 0..<3 { rhs[3 * i + ch] += reg * prior[3 * i + ch] }
            }
        }
        // Cholesky A = L Lᵀ in place (lower triangle).
        for j in 0..<4 {
            var d = a[5 * j]
            for k in 0..<j { d -= a[4 * j + k] * a[4 * j + k] }
            guard d > 0 else { for i in 0..<12 { c[i] = prior?[i] ?? 0 }; return }
            let l = d.squareRoot()
            a[5 * j] = l
            for i in (j + 1)..<4 {
                var s = a[4 * i + j]
                for k in 0..<j { s -= a[4 * i + k] * a[4 * j + k] }
                a[4 * i + j] = s / l
            }
        }
        for ch in 0..<3 {
            var z = [Double](repeating: 0, count: 4)
            for i in 0..<4 {
                var s = rhs[3 * i + ch]
                for k in 0..<i { s -= a[4 * i + k] * z[k] }
                z[i] = s / a[5 * i]
            }
            for i in stride(from: 3, through: 0, by: -1) {
                var s = z[i]
                for k in (i + 1)..<4 { s -= a[4 * k + i] * c[3 * k + ch] }
                c[3 * i + ch] = s / a[5 * i]
            }
        }
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
        let base = scratch.pointer(count: sets * rowStride + logitsCount + w * k + w)
        let rowGrids = base, pieceRows = base + sets * rowStride
        let logits = pieceRows + (needsLogits ? sampler.rowBufferCount : 0)
        let weights = base + sets * rowStride + logitsCount
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
                            weightedApply(&g, inL, inA, inB, weights: (0..<k).map { m + $0 * plane + i }, outL, outA, outB)
                            continue
                        }
                    case .soft:
                        sampler.values(row: y, rowBuffers: pieceRows, into: logits)
                        for x in 0..<w {
                            ContextResult.softmax(logits + x * k, count: k)
                            for kk in 0..<k { weights[kk * w + x] = logits[x * k + kk] }
                        }
                        weightedApply(&g, inL, inA, inB, weights: (0..<k).map { UnsafePointer(weights + $0 * w) }, outL, outA, outB)
                        continue
                    }
                }
                sa_guided_apply_row(&g, inL, inA, inB, labelled, outL, outA, outB)
            }
        }}}}
    }

    private func weightedApply(
        _ g: inout SAGuidedRow, _ inL: UnsafePointer<Float>, _ inA: UnsafePointer<Float>, _ inB: UnsafePointer<Float>,
        weights: [UnsafePointer<Float>], _ outL: UnsafeMutablePointer<Float>, _ outA: UnsafeMutablePointer<Float>,
        _ outB: UnsafeMutablePointer<Float>
    ) {
        let w = Int(g.width)
        outL.update(from: inL, count: w)
        outA.update(from: inA, count: w)
        outB.update(from: inB, count: w)
        for (s, wk) in weights.enumerated() {
            sa_guided_accumulate_weighted_row(&g, inL, inA, inB, Int32(s), wk, outL, outA, outB)
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
