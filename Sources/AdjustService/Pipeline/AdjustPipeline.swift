import Dispatch
public import Imaging
public import Inference
import Locks

/// One style's whole path from uploaded bytes to retouched JPEG and map:
/// decode → (max side) → working resolution → context (trunk, ReNet, map) → full-resolution colour
/// pass → encode. The first half (`analyse`) is what the photo cache keeps; `render` is the second
/// half and all a re-render with a new map costs. Synchronous and CPU-bound: callers run it on a
/// `WorkerPool` worker.
public struct AdjustPipeline: Sendable {
    public let model: SAAdjustModel
    public let decodeLimits: DecodeLimits
    /// How the colour pass renders: by default exact up to ~1 MP and guided above.
    public let renderMethod: RenderMethod
    /// How `AdjustOptions.refine` snaps a map to the photo's edges.
    public let mapRefinement: MapRefinementSettings
    /// Each worker's context scratch, reused from photo to photo (StyleCatalog shares one pool
    /// among its styles: the scratch does not depend on the style).
    let workspaces: ContextWorkspacePool

    public init(model: SAAdjustModel, decodeLimits: DecodeLimits = .standard, renderMethod: RenderMethod = .automatic,
                mapRefinement: MapRefinementSettings = .standard, workspaces: ContextWorkspacePool = ContextWorkspacePool()) {
        self.model = model
        self.decodeLimits = decodeLimits
        self.renderMethod = renderMethod
        self.mapRefinement = mapRefinement
        self.workspaces = workspaces
    }

    public var styleID: String { model.description.style }
    public var presetNames: [String] { model.description.presetNames }
    public var presetCount: Int { model.description.presetCount }

    /// The whole path for a new photo.
    public func adjust(imageBytes: [UInt8], options: AdjustOptions = AdjustOptions()) throws(AdjustError) -> AdjustResult {
        try options.validate()
        var clock = StageClock()

        let decoded: DecodedImage
        do {
            decoded = try ImageDecoder(limits: decodeLimits).decode(imageBytes)
        } catch {
            throw .undecodableImage(error)
        }
        clock.lap("decode")
        let photo = Self.limited(decoded.image, maxSide: options.maxSide)
        // Validate the user's map before spending seconds on inference.
        let userMap = try options.mapPNG.map { png throws(AdjustError) in
            try UserMap(png: png, presetCount: presetCount, width: photo.width, height: photo.height)
        }

        let working = model.workingSize(height: photo.height, width: photo.width)
        // Straight from the bytes: a 12 MP photo never exists as float planes.
        let small = working.width == photo.width && working.height == photo.height
            ? PlanarImage(photo)
            : Resampler.resize(photo, width: working.width, height: working.height, filter: .triangle)
        let rgb = Tensor(shape: TensorShape(channels: 3, height: small.height, width: small.width), values: small.data)
        clock.lap("resize")

        let context: ContextResult
        do {
            context = try workspaces.withWorkspace { (ws: inout ContextWorkspace) throws(ModelError) in
                try model.context(rgb: rgb, workspace: &ws)
            }
        } catch {
            throw .inference(error)
        }
        clock.lap("context")
        // The guided fit holds for every map, so the photo cache keeps it with the context.
        let plan = try Self.plan(model: model, photo: photo, context: context, method: renderMethod)
        clock.lap("fit")
        let analysis = AnalysedPhoto(styleID: styleID, photo: photo, iccProfile: decoded.iccProfile, context: context, plan: plan,
                                     reference: nil)
        return try render(analysis, userMap: userMap, options: options, clock: clock)
    }

    /// The colour pass and encode for a photo analysed earlier (the `image_id` loop): no decode,
    /// no trunk. `options.maxSide` must be nil: the cached photo's size is fixed.
    public func render(_ analysis: AnalysedPhoto, options: AdjustOptions) throws(AdjustError) -> AdjustResult {
        try options.validate()
        guard analysis.styleID == styleID else {
            throw .invalidOption("this photo was analysed for style '\(analysis.styleID)', not '\(styleID)'")
        }
        guard options.maxSide == nil else {
            throw .invalidOption("max_side applies to a new image only; a cached photo keeps its size \(analysis.width)x\(analysis.height)")
        }
        let clock = StageClock()
        let userMap = try options.mapPNG.map { png throws(AdjustError) in
            try UserMap(png: png, presetCount: presetCount, width: analysis.width, height: analysis.height)
        }
        return try render(analysis, userMap: userMap, options: options, clock: clock)
    }

    private func render(
        _ analysis: AnalysedPhoto, userMap: UserMap?, options: AdjustOptions, clock: StageClock
    ) throws(AdjustError) -> AdjustResult {
        var clock = clock
        let (width, height) = (analysis.width, analysis.height)
        let choice: MapChoice
        let labelMap: LabelMap
        let coverage: [Double]
        let snapping = EdgeSnapping(settings: mapRefinement)
        if let userMap, options.refines(userMap: true) {
            labelMap = LabelMap(width: width, height: height,
                                labels: snapping.userLabels(userMap, of: analysis, presetCount: presetCount, threads: EngineThreads.perJob))
            choice = .labels(labelMap.labels)
            coverage = labelMap.coverage(presetCount: presetCount)
        } else if let userMap {
            choice = userMap.choice
            labelMap = userMap.labelMap
            coverage = userMap.coverage(presetCount: presetCount)
        } else {
            let labels = options.refines(userMap: false)
                ? snapping.discoveredLabels(analysis, threads: EngineThreads.perJob)
                : analysis.context.mapLabels(height: height, width: width)
            labelMap = LabelMap(width: width, height: height, labels: labels)
            choice = .labels(labelMap.labels)
            coverage = labelMap.coverage(presetCount: presetCount)
        }
        clock.lap("map")

        // Streamed row by row from the cached bytes into the output's bytes (LabRowIO.srgb8). With a
        // label map and the first render at hand, only the pixels whose labels changed are rendered
        // (per row, the columns from the first to the last change), over a copy of that render.
        var rows: [Range<Int>]? = nil
        var columns: [Range<Int>]? = nil
        var pixels: [UInt8]
        // With the first render's quality the JPEG is re-encoded only where the pixels changed.
        var reencodes = false
        let reference: ReferenceRender?
        if case let .labels(labels) = choice, let first = analysis.reference {
            let changes = first.changes(labels, width: width)
            (rows, columns) = (changes.rows, changes.columns)
            reencodes = first.jpeg.quality == options.quality
            pixels = reencodes
                ? first.canvas(copying: first.jpeg.reencodedRegions(changedColumns: changes.columns),
                               except: changes.columns, width: width)
                : first.pixels
            reference = first
        } else {
            reference = nil
            pixels = [UInt8](repeating: 0, count: width * height * 3)
        }
        var failure: ModelError?
        var picked = false
        if case let .labels(labels) = choice, let reference, let alternatives = reference.alternatives, let rows, let columns {
            pixels.withUnsafeMutableBufferPointer { out in
                alternatives.fill(out.baseAddress!, labels: labels, reference: reference, width: width, rows: rows,
                                  columns: columns, threads: EngineThreads.perJob)
            }
            picked = true
        } else if rows?.isEmpty != true {
            analysis.photo.pixels.withUnsafeBufferPointer { src in
                pixels.withUnsafeMutableBufferPointer { out in
                    do throws(ModelError) {
                        try model.render(
                            analysis.plan, context: analysis.context, map: choice, threads: EngineThreads.perJob,
                            io: .srgb8(from: src.baseAddress!, into: out.baseAddress!, width: width), rows: rows,
                            columns: columns)
                    } catch {
                        failure = error
                    }
                }
            }
        }
        if let failure { throw .inference(failure) }
        let out = RGBImage(width: width, height: height, pixels: pixels)
        clock.lap("render")

        // The photo and the map are independent encodes (at 12 MP the JPEG ~60-80 ms, the PNG ~35 ms):
        // with two threads to spare they run at once, the JPEG's re-encode on the threads the PNG
        // leaves (a nested concurrentPerform would run serially). A map handed back as it was sent
        // costs nothing, so then the JPEG has every thread.
        let iccProfile = analysis.iccProfile, quality = options.quality
        let changedColumns = reencodes ? columns : nil
        let parallel = options.encodesMap && !labelMap.hasSourcePNG && EngineThreads.perJob >= 2
        let threads = parallel ? EngineThreads.perJob - 1 : EngineThreads.perJob
        let (jpegResult, mapResult) = Self.both(
            parallel: parallel,
            { () -> Result<SegmentedJPEG, AdjustError> in
                do throws(ImagingError) {
                    // A re-render at the first render's quality re-encodes only the segments whose
                    // pixels it rendered. The JPEG has standard Huffman tables (segments must encode
                    // alike apart; optimal tables would also cost a second pass, 2-3x the time at
                    // 12 MP, for files 4-6 % smaller) and restart markers (~0.5 % of the file).
                    if let reference, let changedColumns {
                        return .success(try reference.jpeg.reencoding(out, changedColumns: changedColumns, threads: threads))
                    }
                    return .success(try SegmentedJPEG(encoding: out, quality: quality, iccProfile: iccProfile))
                } catch {
                    return .failure(.encoding(error))
                }
            },
            { () -> Result<[UInt8]?, AdjustError> in
                guard options.encodesMap else { return .success(nil) }
                do throws(AdjustError) { return .success(try labelMap.png()) } catch { return .failure(error) }
            })
        let jpeg = try jpegResult.get()
        let mapPNG = try mapResult.get()
        clock.lap("encode")

        var kept = analysis
        if analysis.reference == nil, case let .labels(labels) = choice {
            kept = analysis.with(reference: ReferenceRender(labels: labels, pixels: pixels, jpeg: jpeg))
        }
        return AdjustResult(
            jpeg: jpeg.bytes, mapPNG: mapPNG, width: width, height: height, presetNames: presetNames,
            coverage: coverage, usedUserMap: userMap != nil, stages: clock.stages,
            renderedRows: rows?.reduce(0) { $0 + $1.count } ?? height, pickedFromAlternatives: picked, analysis: kept)
    }

    /// The render plan of `photo` by `method`, its guide rows read from the bytes.
    static func plan(model: SAAdjustModel, photo: RGBImage, context: ContextResult, method: RenderMethod) throws(AdjustError) -> RenderPlan {
        let (width, height) = (photo.width, photo.height)
        let result = photo.pixels.withUnsafeBufferPointer { src -> Result<RenderPlan, ModelError> in
            do throws(ModelError) {
                return .success(try model.plan(height: height, width: width, context: context, method: method) { y, row in
                    LabRowIO.readSRGB8(row: y, of: src.baseAddress!, width: width, into: row)
                })
            } catch {
                return .failure(error)
            }
        }
        do { return try result.get() } catch { throw .inference(error) }
    }

    /// `first()` and `second()`, on two threads at once when `parallel`, else one after the other.
    static func both<A: Sendable, B: Sendable>(
        parallel: Bool, _ first: @Sendable () -> A, _ second: @Sendable () -> B
    ) -> (A, B) {
        guard parallel else { return (first(), second()) }
        let a = LockedValue<A?>(nil), b = LockedValue<B?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 { let v = first(); a.withLock { $0 = v } } else { let v = second(); b.withLock { $0 = v } }
        }
        return (a.withLock { $0! }, b.withLock { $0! })
    }

    /// The photo downscaled (Lanczos, antialiased) so its long side is at most `maxSide`.
    static func limited(_ image: RGBImage, maxSide: Int?) -> RGBImage {
        guard let maxSide, max(image.width, image.height) > maxSide else { return image }
        let scale = Double(maxSide) / Double(max(image.width, image.height))
        let width = max(1, Int((Double(image.width) * scale).rounded()))
        let height = max(1, Int((Double(image.height) * scale).rounded()))
        return Resampler.resize(image, width: width, height: height, filter: .lanczos3).rgbImage()
    }
}
