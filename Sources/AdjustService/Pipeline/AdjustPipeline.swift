public import Imaging
public import Inference

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
    /// The threads one request's work is split over (ThreadBudget: workers × threads ≤ cores).
    public let threadsPerJob: Int
    /// Each worker's context scratch, reused from photo to photo (StyleCatalog shares one pool
    /// among its styles: the scratch does not depend on the style).
    let workspaces: ContextWorkspacePool
    /// Which load of the style's model file this is (LiveStyleCatalog counts them): a photo analysed
    /// by one revision is re-rendered only by the same one, since its context holds that model's folds.
    public let revision: UInt64

    public init(model: SAAdjustModel, threadsPerJob: Int, decodeLimits: DecodeLimits = .standard,
                renderMethod: RenderMethod = .automatic, mapRefinement: MapRefinementSettings = .standard,
                workspaces: ContextWorkspacePool = ContextWorkspacePool(), revision: UInt64 = 0) {
        precondition(threadsPerJob >= 1, "a job needs at least one thread")
        self.model = model
        self.threadsPerJob = threadsPerJob
        self.decodeLimits = decodeLimits
        self.renderMethod = renderMethod
        self.mapRefinement = mapRefinement
        self.workspaces = workspaces
        self.revision = revision
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
            decoded = try ImageDecoder(limits: decodeLimits, colourManagement: ColourManagement(threads: threadsPerJob)).decode(imageBytes)
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
            context = try workspaces.withWorkspace(threads: threadsPerJob) { (ws: inout ContextWorkspace) throws(ModelError) in
                try model.context(rgb: rgb, workspace: &ws)
            }
        } catch {
            throw .inference(error)
        }
        clock.lap("context")
        // The guided fit holds for every map, so the photo cache keeps it with the context.
        let plan = try Self.plan(model: model, photo: photo, context: context, method: renderMethod, threads: threadsPerJob)
        clock.lap("fit")
        let analysis = AnalysedPhoto(styleID: styleID, modelRevision: revision, photo: photo, iccProfile: decoded.iccProfile, context: context, plan: plan,
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

    /// map → colour pass → encode → the first render kept for the photo's re-renders.
    private func render(
        _ analysis: AnalysedPhoto, userMap: UserMap?, options: AdjustOptions, clock: StageClock
    ) throws(AdjustError) -> AdjustResult {
        var clock = clock
        let threads = threadsPerJob
        guard max(analysis.width, analysis.height) <= options.format.maxSide else {
            throw .invalidOption("\(options.format.rawValue) holds at most \(options.format.maxSide) pixels a side; the photo is \(analysis.width)x\(analysis.height) (ask for another format, or max_side)")
        }
        let map = RenderMap(for: analysis, userMap: userMap, options: options, presetCount: presetCount,
                            snapping: EdgeSnapping(settings: mapRefinement),
                            blendsDiscoveredMap: model.description.defaultMap == "soft", threads: threads)
        clock.lap("map")
        let pass = try ColourPass(model: model, threads: threads)
            .run(analysis, map: map, quality: options.quality, format: options.format, strength: options.strength)
        clock.lap("render")
        let encoded = try ResultEncoder(format: options.format, quality: options.quality, iccProfile: analysis.iccProfile,
                                        threads: threads)
            .encode(pass, width: analysis.width, height: analysis.height, map: options.encodesMap ? map.labelMap : nil)
        clock.lap("encode")

        var kept = analysis
        if analysis.reference == nil, case let .labels(labels) = map.choice {
            kept = analysis.with(reference: ReferenceRender(labels: labels, pixels: pass.pixels, jpeg: encoded.segments,
                                                            strength: options.strength))
        }
        return AdjustResult(
            image: encoded.image, format: options.format, mapPNG: encoded.mapPNG, width: analysis.width, height: analysis.height,
            presetNames: presetNames,
            coverage: map.coverage, usedUserMap: userMap != nil, strength: options.strength, stages: clock.stages,
            renderedRows: pass.rows?.reduce(0) { $0 + $1.count } ?? analysis.height,
            pickedFromAlternatives: pass.strategy == .pick, analysis: kept)
    }

    /// The render plan of `photo` by `method`, its guide rows read from the bytes.
    static func plan(model: SAAdjustModel, photo: RGBImage, context: ContextResult, method: RenderMethod,
                     threads: Int) throws(AdjustError) -> RenderPlan {
        let (width, height) = (photo.width, photo.height)
        let result = photo.pixels.withUnsafeBufferPointer { src -> Result<RenderPlan, ModelError> in
            do throws(ModelError) {
                return .success(try model.plan(height: height, width: width, context: context, method: method, threads: threads) { y, row in
                    LabRowIO.readSRGB8(row: y, of: src.baseAddress!, width: width, into: row)
                })
            } catch {
                return .failure(error)
            }
        }
        do { return try result.get() } catch { throw .inference(error) }
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
