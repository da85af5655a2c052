import CEngineKernels
import Dispatch

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

    /// Point-samples the full-resolution photo at the guide size (the pixel nearest each guide pixel
    /// centre): the fit sees real pixel colours, not averages that never occur in the photo. Only the
    /// sampled rows are read.
    static func guide(of read: (Int, LabRow) -> Void, height h: Int, width w: Int, longSide: Int) -> Tensor {
        let s = Double(min(longSide, max(h, w))) / Double(max(h, w))
        let gh = max(1, Int((Double(h) * s).rounded())), gw = max(1, Int((Double(w) * s).rounded()))
        var g = Tensor(channels: 3, height: gh, width: gw)
        let xs = (0..<gw).map { min(w - 1, Int((Double($0) + 0.5) * Double(w) / Double(gw))) }
        let buffers = LabRowBuffers(width: w)
        let row = buffers.input
        g.withUnsafeMutableBufferPointer { dst in
            for y in 0..<gh {
                let sy = min(h - 1, Int((Double(y) + 0.5) * Double(h) / Double(gh)))
                read(sy, row)
                for (c, src) in [row.l, row.a, row.b].enumerated() {
                    let out = dst.baseAddress! + (c * gh + y) * gw
                    for x in 0..<gw { out[x] = src[xs[x]] }
                }
            }
        }
        return g
    }

    /// The guide's rows are fitted in this many fixed chunks, each into its own statistics, summed
    /// in chunk order: on `threads` ≥ 2 the chunks run at once, and the grid is the same for any
    /// thread count (a render must not depend on how many cores it got).
    static let fitChunks = 2

    /// Fits the grid to the exact head on `guide` (3 Lab planes), on up to `threads` threads.
    static func fit(head: ColourHead, context: ContextResult, guide: Tensor, settings: GuidedRenderSettings,
                    threads: Int) -> AffineColourGrid {
        let (h, w) = (guide.height, guide.width)
        let gh = max(2, (h + settings.cellSize - 1) / settings.cellSize)
        let gw = max(2, (w + settings.cellSize - 1) / settings.cellSize)
        let bins = settings.luminanceBins, sets = head.residualSets
        precondition(sets <= 255, "guided upsampling takes at most 255 presets (one byte per label)")
        let statCount = 10 + 12 * sets
        let statRow = gw * bins * statCount
        let chunks = min(fitChunks, h)
        let stats = (0..<chunks).map { _ in AlignedBuffer(count: gh * statRow) }
        let rowTaps = BilinearTaps(source: gh, destination: h)
        let colTaps = BilinearTaps(source: gw, destination: w)
        let plane = h * w
        let accumulate: @Sendable (Int) -> Void = { chunk in
            var scratch = ScratchBuffer()
            let into = stats[chunk].pointer
            guide.withUnsafeBufferPointer { lab in
            colTaps.lower.withUnsafeBufferPointer { lo in
            colTaps.upper.withUnsafeBufferPointer { hi in
            colTaps.weight.withUnsafeBufferPointer { cw in
                let l = lab.baseAddress!
                let rows = (chunk * h / chunks)..<((chunk + 1) * h / chunks)
                head.residualRows(lab: l, height: h, width: w, context: context, rows: rows, scratch: &scratch) { y, residuals in
                    let i = y * w
                    sa_guided_accumulate_row(
                        Int32(w), Int32(sets), Int32(bins), l + i, l + plane + i, l + 2 * plane + i, residuals,
                        lo.baseAddress, hi.baseAddress, cw.baseAddress, rowTaps.weight[y],
                        into + Int(rowTaps.lower[y]) * statRow, into + Int(rowTaps.upper[y]) * statRow)
                }
            }}}}
        }
        if threads >= 2 && chunks > 1 {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: accumulate)
        } else {
            for chunk in 0..<chunks { accumulate(chunk) }
        }
        let total = stats[0].pointer, count = gh * statRow
        for chunk in stats.dropFirst() {
            let part = chunk.pointer
            for i in 0..<count { total[i] += part[i] }
        }
        let grid = AffineColourGrid(
            sets: sets, gridHeight: gh, gridWidth: gw, bins: bins,
            coefficients: AlignedBuffer(count: sets * gh * gw * bins * node))
        // Per node and set: C = (G + λI)⁻¹ (H + λ C_cell), C_cell the cell's all-bins fit (colour_kernels.h).
        sa_guided_solve(Int32(gh * gw), Int32(bins), Int32(sets), total, Double(settings.ridge),
                        grid.coefficients.pointer, grid.setStride)
        return grid
    }

    /// Rows `rows` of the full-resolution output, read from and written to `io` through `buffers`:
    /// out = lab + r̂(pixel) for the pixel's map. With a label map only the columns `rows` names for
    /// each row are read and written (the other maps are sampled a whole row at a time).
    func apply(
        height h: Int, width w: Int, map: MapSource, context: ContextResult, rows: RowSet,
        io: LabRowIO, buffers: LabRowBuffers, scratch: inout ScratchBuffer
    ) {
        let plane = h * w
        let rowTaps = BilinearTaps(source: gridHeight, destination: h)
        let colTaps = BilinearTaps(source: gridWidth, destination: w)
        let mapMode = context.mode == .map
        let sampler = MapRowSampler(context, height: h, width: w)
        let k = sets
        let needsLogits = mapMode && (map.isArgmax || map.isSoft)
        let logitsCount = needsLogits ? (sampler.rowBufferCount + w * k + 15) & ~15 : 0
        let base = scratch.pointer(count: sets * rowStride + logitsCount + w * k)
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
                // Only a label map can be read for part of a row; the others are sampled whole.
                let span: Range<Int>
                if case .labels = map { span = rows.columns(of: y, width: w) } else { span = 0..<w }
                if span.isEmpty { continue }
                let x0 = span.lowerBound
                let (input, output) = (buffers.input.span(span), buffers.output.span(span))
                io.read(y, input)
                // Only the grid columns the span's taps reach: a full row of the grid is as many
                // floats as a few thousand pixels' work.
                let cellFloats = bins * Self.node
                let first = Int(lo[span.lowerBound]) * cellFloats
                let count = (Int(hi[span.upperBound - 1]) + 1) * cellFloats - first
                for s in 0..<sets {
                    let grid = coefficients.pointer + s * setStride + first
                    sa_lerp(grid + Int(rowTaps.lower[y]) * rowStride, grid + Int(rowTaps.upper[y]) * rowStride,
                            rowTaps.weight[y], count, rowGrids + s * rowStride + first)
                }
                var labelled: UnsafePointer<UInt8>? = nil
                var rowWeights: [UnsafePointer<Float>]? = nil
                if mapMode {
                    switch map {
                    case .argmax:
                        sampler.values(row: y, rowBuffers: pieceRows, into: logits)
                        MapRowSampler.argmax(logits, count: k, width: w, into: labelRow)
                        labelled = UnsafePointer(labelRow)
                    case let .labels(l):
                        labelled = l + y * w + x0
                    case let .planes(m):
                        let i = y * w
                        if Self.oneHotLabels(m + i, plane: plane, count: k, width: w, into: labelRow) {
                            labelled = UnsafePointer(labelRow)
                        } else {
                            rowWeights = (0..<k).map { m + $0 * plane + i }
                        }
                    case .soft:
                        sampler.values(row: y, rowBuffers: pieceRows, into: logits)
                        for x in 0..<w {
                            ContextResult.softmax(logits + x * k, count: k)
                            for kk in 0..<k { weights[kk * w + x] = logits[x * k + kk] }
                        }
                        rowWeights = (0..<k).map { UnsafePointer(weights + $0 * w) }
                    }
                }
                if let rowWeights {
                    // out = lab + Σ_k w_k r_k(pixel)
                    output.l.update(from: input.l, count: w)
                    output.a.update(from: input.a, count: w)
                    output.b.update(from: input.b, count: w)
                    for (s, wk) in rowWeights.enumerated() {
                        sa_guided_accumulate_weighted_row(&g, input.l, input.a, input.b, Int32(s), wk, output.l, output.a, output.b)
                    }
                } else {
                    // The span's columns: the kernel indexes its taps and labels from the span's start.
                    var part = g
                    part.width = Int32(span.count)
                    part.xLower = lo.baseAddress! + x0
                    part.xUpper = hi.baseAddress! + x0
                    part.xWeight = cw.baseAddress! + x0
                    sa_guided_apply_row(&part, input.l, input.a, input.b, labelled, output.l, output.a, output.b)
                }
                io.write(y, output)
            }
        }}}}
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
