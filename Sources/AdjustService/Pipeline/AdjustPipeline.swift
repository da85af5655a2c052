public import Imaging
public import Inference

/// One style's whole path from uploaded bytes to retouched JPEG and map:
/// decode → working resolution → context (trunk, ReNet, map) → full-resolution colour pass →
/// encode. Synchronous and CPU-bound: callers run it on a `WorkerPool` worker.
public struct AdjustPipeline: Sendable {
    public let model: SAAdjustModel
    public let decodeLimits: DecodeLimits

    public init(model: SAAdjustModel, decodeLimits: DecodeLimits = .standard) {
        self.model = model
        self.decodeLimits = decodeLimits
    }

    public var presetNames: [String] { model.description.presetNames }

    public func adjust(imageBytes: [UInt8], options: AdjustOptions = AdjustOptions()) throws(AdjustError) -> AdjustResult {
        try options.validate()
        var clock = StageClock()

        let decoded: DecodedImage
        do {
            decoded = try ImageDecoder(limits: decodeLimits).decode(imageBytes)
        } catch {
            throw .undecodableImage(error)
        }
        let photo = PlanarImage(decoded.image)
        let width = photo.width, height = photo.height
        let presetCount = model.description.presetCount
        // Validate the user's map before spending seconds on inference.
        let userMap = try options.mapPNG.map { png throws(AdjustError) in
            try LabelMap(png: png, presetCount: presetCount, width: width, height: height)
        }
        clock.lap("decode")

        let working = model.workingSize(height: height, width: width)
        let small = working.width == width && working.height == height
            ? photo
            : Resampler.resize(photo, width: working.width, height: working.height, filter: .triangle)
        let rgb = Tensor(shape: TensorShape(channels: 3, height: small.height, width: small.width), values: small.data)
        clock.lap("resize")

        let context: ContextResult
        do {
            context = try model.context(rgb: rgb)
        } catch {
            throw .inference(error)
        }
        clock.lap("context")

        let map = userMap ?? LabelMap(argmaxOf: context.mapProbabilities(height: height, width: width))
        clock.lap("map")

        let labPlanes = LabConverter.srgbToLab(photo)
        let lab = Tensor(shape: TensorShape(channels: 3, height: height, width: width), values: labPlanes.data)
        let adjusted: Tensor
        do {
            adjusted = try model.render(lab: lab, context: context, map: .user(map.oneHot(presetCount: presetCount)))
        } catch {
            throw .inference(error)
        }
        clock.lap("render")

        let out = LabConverter.labToSRGB(PlanarImage(width: width, height: height, channels: 3, data: adjusted.values))
        let jpeg: [UInt8]
        do {
            jpeg = try JPEGEncoder(options: JPEGEncodeOptions(quality: options.quality))
                .encode(out.rgbImage(), iccProfile: decoded.iccProfile)
        } catch {
            throw .encoding(error)
        }
        let mapPNG = try map.png()
        clock.lap("encode")

        return AdjustResult(
            jpeg: jpeg, mapPNG: mapPNG, width: width, height: height, presetNames: presetNames,
            coverage: map.coverage(presetCount: presetCount), usedUserMap: userMap != nil, stages: clock.stages)
    }
}

/// Measures consecutive stages of one request.
struct StageClock {
    private var last = ContinuousClock.now
    private(set) var stages: [AdjustResult.Stage] = []

    mutating func lap(_ name: String) {
        let now = ContinuousClock.now
        stages.append(AdjustResult.Stage(name: name, duration: now - last))
        last = now
    }
}
