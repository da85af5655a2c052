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

    public init(model: SAAdjustModel, decodeLimits: DecodeLimits = .standard) {
        self.model = model
        self.decodeLimits = decodeLimits
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

        let planar = PlanarImage(photo)
        let working = model.workingSize(height: photo.height, width: photo.width)
        let small = working.width == photo.width && working.height == photo.height
            ? planar
            : Resampler.resize(planar, width: working.width, height: working.height, filter: .triangle)
        let rgb = Tensor(shape: TensorShape(channels: 3, height: small.height, width: small.width), values: small.data)
        clock.lap("resize")

        let context: ContextResult
        do {
            context = try model.context(rgb: rgb)
        } catch {
            throw .inference(error)
        }
        clock.lap("context")
        let analysis = AnalysedPhoto(styleID: styleID, photo: photo, iccProfile: decoded.iccProfile, context: context)
        return try render(analysis, userMap: userMap, planar: planar, options: options, clock: clock)
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
        return try render(analysis, userMap: userMap, planar: PlanarImage(analysis.photo), options: options, clock: clock)
    }

    private func render(
        _ analysis: AnalysedPhoto, userMap: UserMap?, planar: PlanarImage, options: AdjustOptions, clock: StageClock
    ) throws(AdjustError) -> AdjustResult {
        var clock = clock
        let (width, height) = (analysis.width, analysis.height)
        let choice: MapChoice
        let labelMap: LabelMap
        let coverage: [Double]
        if let userMap {
            choice = userMap.choice
            labelMap = userMap.labelMap
            coverage = userMap.coverage(presetCount: presetCount)
        } else {
            labelMap = LabelMap(width: width, height: height, labels: analysis.context.mapLabels(height: height, width: width))
            choice = .labels(labelMap.labels)
            coverage = labelMap.coverage(presetCount: presetCount)
        }
        clock.lap("map")

        let labPlanes = LabConverter.srgbToLab(planar)
        // Rendered over its own input: no second full-resolution buffer (144 MB at 12 MP).
        var lab = Tensor(shape: TensorShape(channels: 3, height: height, width: width), values: labPlanes.data)
        do {
            try model.render(inPlace: &lab, context: analysis.context, map: choice, method: .automatic, threads: BLASThreads.count)
        } catch {
            throw .inference(error)
        }
        clock.lap("render")

        let out = LabConverter.labToSRGB(PlanarImage(width: width, height: height, channels: 3, data: lab.values))
        let jpeg: [UInt8]
        do {
            jpeg = try JPEGEncoder(options: JPEGEncodeOptions(quality: options.quality))
                .encode(out.rgbImage(), iccProfile: analysis.iccProfile)
        } catch {
            throw .encoding(error)
        }
        let mapPNG = options.encodesMap ? try labelMap.png() : nil
        clock.lap("encode")

        return AdjustResult(
            jpeg: jpeg, mapPNG: mapPNG, width: width, height: height, presetNames: presetNames,
            coverage: coverage, usedUserMap: userMap != nil, stages: clock.stages, analysis: analysis)
    }

    /// The photo downscaled (Lanczos, antialiased) so its long side is at most `maxSide`.
    static func limited(_ image: RGBImage, maxSide: Int?) -> RGBImage {
        guard let maxSide, max(image.width, image.height) > maxSide else { return image }
        let scale = Double(maxSide) / Double(max(image.width, image.height))
        let width = max(1, Int((Double(image.width) * scale).rounded()))
        let height = max(1, Int((Double(image.height) * scale).rounded()))
        return Resampler.resize(PlanarImage(image), width: width, height: height, filter: .lanczos3).rgbImage()
    }
}
