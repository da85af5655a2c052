import CEngineKernels

/// The low-rank bilinear head, folded for the full-resolution colour pass:
///   out_unit = lab_unit + Pᵀ(tanh(Uᵀx + b_u) ∘ q) + b_P·Σm,  q = Σ_k m_k tanh(V e_k + b_v)  (map mode)
///                                                             q = tanh(V y + b_v)            (context mode)
/// The K-preset mixture collapses to one product because P is linear and Σ_k m_k = 1 for every map the
/// model accepts (b_P is still scaled by Σm so a map that does not sum to one is mixed exactly).
/// The Lab unit scalings (feature L/50 − 1, a/110, b/110; output ×(100, 110, 110)) are folded into U's
/// Lab columns and into P, so the pass reads and writes Lab planes directly.
struct ColourHead: Sendable {
    static let labUnit: [Float] = [100, 110, 110]

    let mode: ModelDescription.Mode
    let rank: Int
    let presetCount: Int
    /// U's columns for L, a, b in real Lab units, and b_u with the −1 of L/50 − 1 folded in.
    let uLab: [[Float]]
    let uBias: [Float]
    /// U's conv1 columns (d × conv1 channels), applied at conv1 resolution.
    let uConv1: Matrix
    /// uLab rows L, a, b and uBias as one 4 × d block, the layout the row kernel reads.
    let packedU: Matrix
    /// Per scale: M · S_s (M = map head or V); and M · b_renet + b_M.
    let scaleProjections: [Matrix]
    let scaleBias: [Float]
    /// tanh(V e_k + b_v), K × d (map mode).
    let presets: Matrix
    /// P scaled to Lab units (3 × d) and its bias (padded to 4).
    let outWeight: Matrix
    let outBias: [Float]

    init(file: SafetensorsFile, description md: ModelDescription, conv1Channels: Int, scaleChannels: [Int])
        throws(SafetensorsError)
    {
        let d = md.rank, ctx = md.contextChannels
        mode = md.mode
        rank = d
        presetCount = md.presetCount
        let u = try file.matrix("U.weight", rows: d, cols: 3 + conv1Channels)
        let ub = try file.floats("U.bias", shape: [d])
        var lab: [[Float]] = [[], [], []]
        var bias = ub
        var uc = Matrix(rows: d, cols: conv1Channels)
        for r in 0..<d {
            lab[0].append(u[r, 0] / 50)
            lab[1].append(u[r, 1] / 110)
            lab[2].append(u[r, 2] / 110)
            bias[r] -= u[r, 0]
            for c in 0..<conv1Channels { uc[r, c] = u[r, 3 + c] }
        }
        uLab = lab
        uBias = bias
        packedU = Matrix(rows: 4, cols: d, values: lab[0] + lab[1] + lab[2] + bias)
        uConv1 = uc

        // M: the per-pixel linear map applied to the context y.
        let m: Matrix, mb: [Float]
        switch md.mode {
        case .map:
            m = try file.matrix("map_head.weight", rows: md.presetCount, cols: ctx)
            mb = try file.floats("map_head.bias", shape: [md.presetCount])
            let v = try file.matrix("V.weight", rows: d, cols: md.presetCount)
            let vb = try file.floats("V.bias", shape: [d])
            var p = Matrix(rows: md.presetCount, cols: d)
            for k in 0..<md.presetCount { for j in 0..<d { p[k, j] = FastTanh.tanh(v[j, k] + vb[j]) } }
            presets = p
        case .context:
            m = try file.matrix("V.weight", rows: d, cols: ctx)
            mb = try file.floats("V.bias", shape: [d])
            presets = Matrix(rows: 0, cols: d)
        }
        let names = ["layer1", "layer2", "layer3", "renet"]
        var projections: [Matrix] = []
        for (name, ch) in zip(names, scaleChannels) {
            projections.append(m.multiplied(by: try file.matrix("squeeze.\(name).weight", rows: ctx, cols: ch)))
        }
        scaleProjections = projections
        scaleBias = m.apply(try file.floats("squeeze.renet.bias", shape: [ctx]), adding: mb)

        let p = try file.matrix("P.weight", rows: 3, cols: d)
        let pb = try file.floats("P.bias", shape: [3])
        var pw = Matrix(rows: 3, cols: d)
        for c in 0..<3 { for j in 0..<d { pw[c, j] = p[c, j] * Self.labUnit[c] } }
        outWeight = pw
        outBias = (0..<3).map { pb[$0] * Self.labUnit[$0] } + [0]
    }

    var pieceChannels: Int { scaleBias.count }
    /// Residual sets the guide pass produces: one per preset (map mode) or one (context mode).
    var residualSets: Int { mode == .map ? presetCount : 1 }

    /// Rows `rows` of the exact colour pass of an H×W photo, its Lab rows read from and written to
    /// `io` through `buffers`. Per row: the conv1 piece and the scale pieces are interpolated once, the
    /// map turned into per-pixel preset weights (or q = tanh(V·y) in context mode), then one C kernel
    /// call does the d-wide hidden layer, product and projection of every pixel.
    func renderExact(
        height h: Int, width w: Int, context: ContextResult, map: MapSource, rows: RowSet,
        io: LabRowIO, buffers: LabRowBuffers, scratch: inout ScratchBuffer
    ) {
        let k = presetCount
        let narrows: Bool
        if case .labels = map, mode == .map { narrows = true } else { narrows = false }
        forEachRow(rows, height: h, width: w, context: context, map: map, perPreset: false, scratch: &scratch) { y, kernel, mix, q in
            // With a label map a re-render may cover only some columns of the row (as the guided pass).
            let span = narrows ? rows.columns(of: y, width: w) : 0..<w
            guard !span.isEmpty else { return }
            let (input, output) = (buffers.input.span(span), buffers.output.span(span))
            io.read(y, input)
            var part = kernel
            let x0 = span.lowerBound
            part.width = Int32(span.count)
            part.conv1Lower = kernel.conv1Lower.map { $0 + x0 }
            part.conv1Upper = kernel.conv1Upper.map { $0 + x0 }
            part.conv1Weight = kernel.conv1Weight.map { $0 + x0 }
            withUnsafePointer(to: part) { p in
                sa_head_row(p, input.l, input.a, input.b, mix.map { $0 + x0 * k }, q, output.l, output.a, output.b)
            }
            io.write(y, output)
        }
    }

    /// The exact residual out − lab of every preset (map mode; the map plays no part) or of the
    /// context (context mode) for rows `rows`: residuals of row y go to `body(y, pointer)` as
    /// width × residualSets × 3 floats, valid during the call.
    func residualRows(
        lab: UnsafePointer<Float>, height h: Int, width w: Int, context: ContextResult, rows: Range<Int>,
        scratch: inout ScratchBuffer, _ body: (Int, UnsafePointer<Float>) -> Void
    ) {
        let plane = h * w
        forEachRow(RowSet(rows), height: h, width: w, context: context, map: .argmax, perPreset: true, scratch: &scratch) { y, kernel, residuals, q in
            let i = y * w
            withUnsafePointer(to: kernel) { k in
                sa_head_row_per_preset(k, lab + i, lab + plane + i, lab + 2 * plane + i, q, UnsafeMutablePointer(mutating: residuals!))
            }
            body(y, residuals!)
        }
    }

    /// Shared row set-up of both passes: interpolated conv1 row in the kernel description, and either
    /// q rows (context mode), per-pixel map weights (exact, map mode) or a residual buffer (perPreset).
    private func forEachRow(
        _ rows: RowSet, height h: Int, width w: Int, context: ContextResult, map: MapSource, perPreset: Bool,
        scratch: inout ScratchBuffer,
        _ body: (Int, SAHeadRow, UnsafePointer<Float>?, UnsafePointer<Float>?) -> Void
    ) {
        let d = rank, k = presetCount, kc = pieceChannels, plane = h * w
        let c1 = PieceSampler(context.conv1Piece, height: h, width: w)
        let sampler = MapRowSampler(context, height: h, width: w)
        func padded(_ n: Int) -> Int { (n + 15) & ~15 }
        let needsValues = mode == .context || (!perPreset && (map.isArgmax || map.isSoft))
        let sizes = [
            c1.rowBufferCount, needsValues ? sampler.rowBufferCount : 0, needsValues ? w * kc : 0,
            perPreset ? w * residualSets * 3 : w * k, d, d,
        ].map(padded)
        let base = scratch.pointer(count: sizes.reduce(0, +))
        var offsets: [Int] = [0]
        for s in sizes { offsets.append(offsets.last! + s) }
        let c1Row = base + offsets[0], pieceRows = base + offsets[1], values = base + offsets[2]
        let weights = base + offsets[3], tanhBuffer = base + offsets[4], qBuffer = base + offsets[5]

        c1.columns.lower.withUnsafeBufferPointer { lo in
        c1.columns.upper.withUnsafeBufferPointer { hi in
        c1.columns.weight.withUnsafeBufferPointer { cw in
        packedU.withUnsafeBufferPointer { u in
        presets.withUnsafeBufferPointer { pre in
        outWeight.withUnsafeBufferPointer { pw in
        outBias.withUnsafeBufferPointer { pb in
            let ub = u.baseAddress!
            let kernel = SAHeadRow(
                width: Int32(w), rank: Int32(d), presetCount: Int32(k),
                conv1Row: c1Row, conv1Lower: lo.baseAddress, conv1Upper: hi.baseAddress, conv1Weight: cw.baseAddress,
                uL: ub, uA: ub + d, uB: ub + 2 * d, uBias: ub + 3 * d,
                presets: pre.baseAddress, outWeight: pw.baseAddress, outBias: pb.baseAddress,
                tanhBuffer: tanhBuffer, qBuffer: qBuffer)
            // A label-map re-render may cover only part of a row (renderExact narrows the same way).
            let narrows: Bool
            if case .labels = map, mode == .map, !perPreset { narrows = true } else { narrows = false }
            for y in rows {
                let span = narrows ? rows.columns(of: y, width: w) : 0..<w
                if span.isEmpty { continue }
                c1.verticalRow(y, span: span, into: c1Row)
                if needsValues { sampler.values(row: y, rowBuffers: pieceRows, into: values) }
                if mode == .context {
                    FastTanh.apply(values, count: w * d)
                    body(y, kernel, perPreset ? weights : nil, values)
                    continue
                }
                if perPreset {
                    body(y, kernel, weights, nil)
                    continue
                }
                switch map {
                case .argmax:
                    for x in 0..<w {
                        let v = values + x * k
                        var best = 0
                        for kk in 1..<max(k, 1) where v[kk] > v[best] { best = kk }  // first maximum, as torch.argmax
                        for kk in 0..<k { weights[x * k + kk] = kk == best ? 1 : 0 }
                    }
                case .soft:
                    for x in 0..<w {
                        ContextResult.softmax(values + x * kc, count: k)
                        for kk in 0..<k { weights[x * k + kk] = values[x * kc + kk] }
                    }
                case let .planes(m):
                    for kk in 0..<k {
                        let src = m + kk * plane + y * w
                        for x in 0..<w { weights[x * k + kk] = src[x] }
                    }
                case let .labels(l):
                    let src = l + y * w
                    for x in 0..<w {
                        for kk in 0..<k { weights[x * k + kk] = 0 }
                        weights[x * k + Int(src[x])] = 1
                    }
                }
                body(y, kernel, weights, nil)
            }
        }}}}}}}
    }
}
