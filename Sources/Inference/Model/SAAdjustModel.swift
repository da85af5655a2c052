import Dispatch

/// SA-AdjustNet on the CPU: the frozen ResNet-50 trunk (shared weights) plus one trained head file,
/// or a model file that carries its own fine-tuned trunk (tensors `trunk.*`, training/train_full.py).
///
/// Use: `context(rgb:)` once per photo at the working resolution (long side `description.workingLongSide`,
/// resized by the caller), then `plan(…)` once for the photo's full size, cache both, then
/// `render(_:context:map:threads:io:rows:)` as often as the map changes. The trunk takes a planar
/// Float tensor of sRGB in [0, 1]; the colour pass reads and writes CIELab (L in [0, 100]) rows
/// through a `LabRowIO`, so the caller keeps the photo in whatever form suits it (the service: 8-bit
/// sRGB, converted per row by Imaging). Entry points over whole Lab planes, for tests, benchmarks
/// and tools, are in `SAAdjustModel+Planes.swift` (`@_spi(Planes)`).
/// Immutable and Sendable: one model serves all workers; each worker brings its own workspaces.
public struct SAAdjustModel: Sendable {
    public let description: ModelDescription
    let trunk: ResNetTrunk
    let renet: ReNet
    let head: ColourHead
    /// A model file with an embedded trunk does not open `trunkPath` at all (it need not exist).
    /// With `trunks`, the shared trunk is loaded once for all the models built with that cache.
    public init(trunkPath: String?, headPath: String, trunks: TrunkCache? = nil) throws(ModelError) {
        let h: SafetensorsFile
        do { h = try SafetensorsFile(path: headPath) } catch { throw .head(error) }
        try self.init(head: h, trunkPath: trunkPath, trunks: trunks)
    }

    /// `head` opened by the caller (who may have looked at its metadata first); `trunkPath` nil means
    /// the head must embed its trunk.
    public init(head h: SafetensorsFile, trunkPath: String?, trunks: TrunkCache? = nil) throws(ModelError) {
        let description = try ModelDescription(metadata: h.metadata)
        if ResNetTrunk.isEmbedded(in: h) {
            try self.init(trunk: nil, head: h)
        } else if let trunkPath, let trunks {
            try self.init(description: description, head: h,
                          trunk: trunks.trunk(path: trunkPath, eps: description.batchNormEpsilon))
        } else if let trunkPath {
            let t: SafetensorsFile
            do { t = try SafetensorsFile(path: trunkPath) } catch { throw .trunk(error) }
            try self.init(trunk: t, head: h)
        } else {
            throw .noTrunk
        }
    }

    /// `trunk` is the shared trunk file; it is ignored when `head` embeds its own trunk and may then
    /// be nil. Without either, the error says which is missing.
    public init(trunk t: SafetensorsFile?, head h: SafetensorsFile) throws(ModelError) {
        let description = try ModelDescription(metadata: h.metadata)
        let eps = description.batchNormEpsilon
        let trunk: ResNetTrunk
        do throws(SafetensorsError) {
            if ResNetTrunk.isEmbedded(in: h) {
                trunk = try ResNetTrunk(file: h, prefix: ResNetTrunk.embeddedPrefix, eps: eps)
            } else if let t {
                trunk = try ResNetTrunk(file: t, eps: eps)
            } else {
                throw SafetensorsError.missingTensor(name: "\(ResNetTrunk.embeddedPrefix)conv1.weight")
            }
        } catch { throw .trunk(error) }
        try self.init(description: description, head: h, trunk: trunk)
    }

    init(description: ModelDescription, head h: SafetensorsFile, trunk: ResNetTrunk) throws(ModelError) {
        // Shapes alone cannot tell two ResNet-50s apart: a head on the wrong weights runs and retouches badly.
        if let expected = description.trunkSHA256, let held = trunk.sourceSHA256, expected != held {
            throw .trunkMismatch(headExpects: expected, trunkHolds: held)
        }
        self.description = description
        self.trunk = trunk
        let eps = description.batchNormEpsilon
        let ch = trunk.channels
        do {
            renet = try ReNet(file: h, inChannels: ch[2], hidden: description.gruHidden, eps: eps)
            guard renet.projection.outChannels == ch[2] else {
                throw ModelError.incompatible("ReNet projects to \(renet.projection.outChannels) channels, layer3 has \(ch[2])")
            }
            head = try ColourHead(file: h, description: description, conv1Channels: trunk.conv1Channels,
                                  scaleChannels: ch + [renet.projection.outChannels])
        } catch let e as SafetensorsError {
            // A head tensor whose shape does not fit this trunk shows up as a shape mismatch here.
            throw .head(e)
        } catch let e as ModelError {
            throw e
        } catch {
            throw .incompatible("\(error)")
        }
    }

    /// The working-resolution size for a photo (long side `workingLongSide`, short side rounded half to
    /// even as Python's round, as the reference's `working_image` does).
    public func workingSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let s = Double(description.workingLongSide) / Double(max(height, width))
        return (max(1, Int((Double(height) * s).rounded(.toNearestOrEven))),
                max(1, Int((Double(width) * s).rounded(.toNearestOrEven))))
    }

    public func context(rgb: Tensor, workspace ws: inout ContextWorkspace) throws(ModelError) -> ContextResult {
        var timings = ContextTimings()
        return try context(rgb: rgb, workspace: &ws, timings: &timings)
    }

    /// The context pass, timing its stages.
    public func context(rgb: Tensor, workspace ws: inout ContextWorkspace, timings: inout ContextTimings)
        throws(ModelError) -> ContextResult
    {
        guard rgb.channels == 3, rgb.height >= 16, rgb.width >= 16 else {
            throw .invalidInput("trunk input must be 3 planes of at least 16x16, got \(rgb.shape)")
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        let f = trunk.forward(rgb: rgb, scratch: &ws.scratch)
        let t1 = clock.now
        let r = renet.forward(f.layer3, scratch: &ws.scratch)
        let t2 = clock.now
        let result = fold(features: f, renet: r, height: rgb.height, width: rgb.width, scratch: &ws.scratch)
        let t3 = clock.now
        timings.trunk = t1 - t0
        timings.renet = t2 - t1
        timings.fold = t3 - t2
        return result
    }

    func fold(features f: TrunkFeatures, renet r: Tensor, height: Int, width: Int, scratch: inout WorkerScratch)
        -> ContextResult
    {
        let scales = [f.layer1, f.layer2, f.layer3, r]
        return ContextResult(
            workingHeight: height, workingWidth: width, mode: description.mode,
            conv1Piece: .projectingNormalised(f.conv1, by: head.uConv1, scratch: &scratch),
            scalePieces: zip(scales, head.scaleProjections).map {
                .projectingNormalised($0, by: $1, scratch: &scratch)
            },
            scaleBias: head.scaleBias)
    }

    /// The render plan of an H×W photo: `method` resolved for the size and, when guided, the guide
    /// point-sampled through `read` (only its rows, a few hundred) and the grid fitted to the exact
    /// head on it, on up to `threads` threads (the same plan for any count).
    public func plan(
        height h: Int, width w: Int, context: ContextResult, method: RenderMethod, threads: Int,
        read: (_ y: Int, _ row: LabRow) -> Void
    ) throws(ModelError) -> RenderPlan {
        guard h > 0, w > 0 else { throw .invalidInput("cannot render an empty \(w)x\(h) photo") }
        try validate(height: h, width: w, context: context, map: .argmax)
        guard case let .guided(settings) = method.resolved(height: h, width: w) else {
            return RenderPlan(height: h, width: w, grid: nil)
        }
        let guide = AffineColourGrid.guide(of: read, height: h, width: w, longSide: settings.guideLongSide)
        return RenderPlan(height: h, width: w,
                          grid: AffineColourGrid.fit(head: head, context: context, guide: guide, settings: settings,
                                                     threads: threads))
    }

    /// The colour pass by a plan made earlier for this photo and `context` (the image_id loop),
    /// over all rows or only `rows` (sorted, disjoint ranges; `io` sees no other row), and within
    /// them, when `columns` (one range per photo row) is given, at least those columns: a pixel's
    /// output depends on nothing but its own colour and map, so rendering only the pixels whose map
    /// changed, over the previous output, gives the same bytes as a full render. With a label map
    /// both methods narrow rows to their columns; with other maps they render the whole rows.
    public func render(
        _ plan: RenderPlan, context: ContextResult, map: MapChoice, threads: Int, io: LabRowIO,
        rows: [Range<Int>]? = nil, columns: [Range<Int>]? = nil
    ) throws(ModelError) {
        let (h, w) = (plan.height, plan.width)
        try validate(height: h, width: w, context: context, map: map)
        guard let selection = RowSet(rows ?? [0..<h], columns: columns, height: h, width: w) else {
            throw .invalidInput("rows must be sorted, disjoint ranges inside 0..<\(h), columns \(h) ranges inside 0..<\(w)")
        }
        render(plan, context: context, map: map, threads: threads, io: io, selection: selection)
    }

    /// The colour pass of rows `firstRow..<height` in bands of `bandRows`, asking `shouldStop`
    /// before each band: for work that must give way quickly (idle-time renders). Returns the first
    /// row not rendered, `plan.height` when all are. The map is validated once, not per band.
    public func render(
        _ plan: RenderPlan, context: ContextResult, map: MapChoice, threads: Int, io: LabRowIO,
        from firstRow: Int, bandRows: Int, shouldStop: () -> Bool
    ) throws(ModelError) -> Int {
        let h = plan.height
        guard (0...h).contains(firstRow), bandRows > 0 else {
            throw .invalidInput("first row \(firstRow) outside 0...\(h) or band of \(bandRows) rows")
        }
        try validate(height: h, width: plan.width, context: context, map: map)
        var y = firstRow
        while y < h, !shouldStop() {
            let band = y..<min(h, y + bandRows)
            render(plan, context: context, map: map, threads: threads, io: io, selection: RowSet(band))
            y = band.upperBound
        }
        return y
    }

    /// The colour pass over `selection`, the map already validated.
    private func render(_ plan: RenderPlan, context: ContextResult, map: MapChoice, threads: Int, io: LabRowIO,
                        selection: RowSet) {
        let (h, w) = (plan.height, plan.width)
        let grid = plan.grid
        let bands = max(1, min(threads, selection.count))
        let pieces = selection.split(into: bands)
        withMapSource(map) { source in
            let run: @Sendable (Int) -> Void = { band in
                var scratch = ScratchBuffer()
                let buffers = LabRowBuffers(width: w)
                let rows = pieces[band]
                if let grid {
                    grid.apply(height: h, width: w, map: source, context: context, rows: rows,
                               io: io, buffers: buffers, scratch: &scratch)
                } else {
                    head.renderExact(height: h, width: w, context: context, map: source, rows: rows,
                                     io: io, buffers: buffers, scratch: &scratch)
                }
            }
            if bands == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: bands, execute: run) }
        }
    }

    func validate(lab: Tensor) throws(ModelError) {
        guard lab.channels == 3, lab.height > 0, lab.width > 0 else {
            throw .invalidInput("colour input must be 3 Lab planes, got \(lab.shape)")
        }
    }

    func validate(height: Int, width: Int, context: ContextResult, map: MapChoice) throws(ModelError) {
        guard context.mode == description.mode, context.pieceChannels == head.pieceChannels else {
            throw .invalidInput("context was computed by another model")
        }
        switch map {
        case .argmax, .soft:
            break
        case let .user(m):
            guard description.mode == .map else { throw .invalidInput("a context-mode model takes no map") }
            guard m.channels == description.presetCount, m.height == height, m.width == width else {
                throw .invalidInput("map \(m.shape) must be \(description.presetCount)x\(height)x\(width)")
            }
        case let .labels(l):
            guard description.mode == .map else { throw .invalidInput("a context-mode model takes no map") }
            guard l.count == height * width else {
                throw .invalidInput("label map of \(l.count) values for \(height)x\(width) pixels")
            }
            let k = description.presetCount
            // A max-reduction vectorises; a closure per label does not (12 M labels at 12 MP).
            let largest = l.withUnsafeBufferPointer { p in p.reduce(UInt8(0)) { Swift.max($0, $1) } }
            guard Int(largest) < k else {
                throw .invalidInput("label map has a label ≥ \(k) presets")
            }
        }
    }

    /// The map's storage pinned for one render.
    func withMapSource<R>(_ map: MapChoice, _ body: (MapSource) -> R) -> R {
        switch map {
        case .argmax: return body(.argmax)
        case .soft: return body(.soft)
        case let .user(t): return t.withUnsafeBufferPointer { body(.planes($0.baseAddress!)) }
        case let .labels(l): return l.withUnsafeBufferPointer { body(.labels($0.baseAddress!)) }
        }
    }
}
