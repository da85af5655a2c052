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
    /// Per scale: M · S_s (M = map head or V); and M · b_renet + b_M.
    let scaleProjections: [Matrix]
    let scaleBias: [Float]
    /// tanh(V e_k + b_v), K × d (map mode).
    let presets: Matrix
    /// P scaled to Lab units (3 × d) and its bias.
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
        outBias = (0..<3).map { pb[$0] * Self.labUnit[$0] }
    }

    var pieceChannels: Int { scaleBias.count }

    /// Renders rows `rows` of the H×W Lab planes into `out` (same shape). Buffers come from `ws`.
    func render(
        lab: Tensor, context: ContextResult, map: MapChoice, rows: Range<Int>,
        into out: inout Tensor, workspace ws: inout RenderWorkspace
    ) {
        let (h, w) = (lab.height, lab.width)
        let d = rank, kc = pieceChannels, k = presetCount, plane = h * w
        let c1 = PieceSampler(context.conv1Piece, height: h, width: w)
        let scales = context.scalePieces.map { PieceSampler($0, height: h, width: w) }
        let scaleRow = scales.reduce(0) { $0 + $1.rowBufferCount }
        let base = ws.scratch.pointer(count: c1.rowBufferCount + scaleRow + 2 * d + kc + k + 64)
        let c1Row = base, scaleRows = c1Row + c1.rowBufferCount
        let u = scaleRows + scaleRow, q = u + d, v = q + d, mix = v + kc
        let user: Tensor? = if case let .user(t) = map { t } else { nil }
        let userMap = user ?? Tensor(channels: 0, height: 0, width: 0)
        let soft = if case .soft = map { true } else { false }

        lab.withUnsafeBufferPointer { labP in
        out.withUnsafeMutableBufferPointer { outP in
        presets.withUnsafeBufferPointer { pre in
        outWeight.withUnsafeBufferPointer { pw in
        uLab[0].withUnsafeBufferPointer { uL in
        uLab[1].withUnsafeBufferPointer { uA in
        uLab[2].withUnsafeBufferPointer { uB in
        uBias.withUnsafeBufferPointer { ub in
        userMap.withUnsafeBufferPointer { um in
            let userP = user == nil ? nil : um.baseAddress
            for y in rows {
                c1.verticalRow(y, into: c1Row)
                var off = 0
                for s in scales { s.verticalRow(y, into: scaleRows + off); off += s.rowBufferCount }
                for x in 0..<w {
                    let i = y * w + x
                    let L = labP[i], A = labP[plane + i], B = labP[2 * plane + i]
                    // hx = tanh(U_conv1·l2n(conv1)↑ + U_lab·lab + b_u)
                    c1.horizontal(x, row: c1Row, into: u, accumulate: false)
                    for j in 0..<d { u[j] = FastTanh.tanh(u[j] + uL[j] * L + uA[j] * A + uB[j] * B + ub[j]) }
                    // The context-dependent factor q and the map's total weight.
                    for j in 0..<kc { v[j] = scaleBias[j] }
                    off = 0
                    for s in scales { s.horizontal(x, row: scaleRows + off, into: v, accumulate: true); off += s.rowBufferCount }
                    var msum: Float = 1
                    var qp = UnsafePointer(q)
                    if mode == .context {
                        for j in 0..<d { q[j] = FastTanh.tanh(v[j]) }
                    } else if let userP {
                        msum = 0
                        for kk in 0..<k { mix[kk] = userP[kk * plane + i]; msum += mix[kk] }
                        mixPresets(pre.baseAddress!, weights: mix, into: q)
                    } else if soft {
                        ContextResult.softmax(v, count: k)
                        mixPresets(pre.baseAddress!, weights: v, into: q)
                    } else {
                        var best = 0
                        for kk in 1..<max(k, 1) where v[kk] > v[best] { best = kk }  // first maximum, as torch.argmax
                        qp = pre.baseAddress! + best * d
                    }
                    for c in 0..<3 {
                        let row = pw.baseAddress! + c * d
                        var s: Float = 0
                        for j in 0..<d { s += row[j] * u[j] * qp[j] }
                        outP[c * plane + i] = labP[c * plane + i] + s + outBias[c] * msum
                    }
                }
            }
        }}}}}}}}}
    }

    @inline(__always)
    private func mixPresets(_ pre: UnsafePointer<Float>, weights m: UnsafePointer<Float>, into q: UnsafeMutablePointer<Float>) {
        let d = rank
        for j in 0..<d { q[j] = 0 }
        for kk in 0..<presetCount {
            let mk = m[kk], row = pre + kk * d
            for j in 0..<d { q[j] += mk * row[j] }
        }
    }
}
