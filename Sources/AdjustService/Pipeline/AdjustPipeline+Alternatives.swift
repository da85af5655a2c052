import Inference
import Locks

/// Idle-time work on a cached photo: its pixels rendered under the presets its first render did
/// not give them (`PresetAlternatives`), so that any repaint of its label map is a copy.
extension AdjustPipeline {
    /// Whether there are alternatives to make for this photo: it was rendered once with a label
    /// map, the style has more than one preset, and they are not made yet.
    public func wantsAlternatives(_ analysis: AnalysedPhoto) -> Bool {
        guard analysis.styleID == styleID, presetCount >= 2, let reference = analysis.reference else { return false }
        return reference.alternatives == nil
    }

    /// A builder of a photo's alternatives. It allocates nothing until its first `advance`.
    public func alternativesBuilder() -> PresetAlternativesBuilder {
        PresetAlternativesBuilder(pipeline: self)
    }

    /// The photo with its alternatives, made in one go unless `isCancelled` stops it between two
    /// bands (then nil); nil as well when there are none to make.
    public func withAlternatives(
        _ analysis: AnalysedPhoto, bandPixels: Int? = nil, isCancelled: () -> Bool
    ) throws(AdjustError) -> AnalysedPhoto? {
        try alternativesBuilder().advance(analysis, bandPixels: bandPixels, isCancelled: isCancelled)
    }
}

/// Makes one photo's `PresetAlternatives` band by band, resuming where it stopped: idle-time work
/// is preempted by every request, and starting over each time would never finish while requests
/// keep arriving between idle moments. It keeps only its progress, never the photo: the caller
/// hands the photo to each `advance` (from the cache, so that an evicted photo is not kept alive
/// by work on it), always the same photo.
///
/// One caller at a time (the worker pool runs an idle job on one worker, and queues it again only
/// after it returned); the lock makes that a guarantee rather than a convention.
public final class PresetAlternativesBuilder: Sendable {
    private struct Progress {
        /// Allocated at the first advance: a queued builder costs nothing.
        var rotations: [UInt8] = []
        /// The rotation being rendered (1..<K) and its next row.
        var rotation = 1
        var nextRow = 0
        var labels: [UInt8] = []
    }

    let pipeline: AdjustPipeline
    private let progress = LockedValue(Progress())

    init(pipeline: AdjustPipeline) {
        self.pipeline = pipeline
    }

    /// Bands are sized for ~5-10 ms on two cores, the wait of a request that preempts the work:
    /// the guided method renders ~60 MP/s there, the exact one ~6 MP/s.
    static func bandPixels(guided: Bool) -> Int { guided ? 1 << 19 : 1 << 15 }

    /// Renders on until done (returns the photo with its alternatives) or until `isCancelled`
    /// says stop between two bands (returns nil; the next call goes on from there). Nil as well
    /// when the photo needs none (`AdjustPipeline.wantsAlternatives`).
    public func advance(
        _ analysis: AnalysedPhoto, bandPixels: Int? = nil, isCancelled: () -> Bool
    ) throws(AdjustError) -> AnalysedPhoto? {
        guard pipeline.wantsAlternatives(analysis), let reference = analysis.reference else { return nil }
        let model = pipeline.model, plan = analysis.plan
        let (width, height, k) = (analysis.width, analysis.height, pipeline.presetCount)
        let pixelBytes = width * height * 3
        let bandRows = max(1, (bandPixels ?? Self.bandPixels(guided: plan.isGuided)) / width)
        let outcome = progress.withLock { (p: inout Progress) -> Result<Bool, ModelError> in
            if p.rotations.count != (k - 1) * pixelBytes {
                p = Progress()
                p.rotations = [UInt8](unsafeUninitializedCapacity: (k - 1) * pixelBytes) { buffer, initialized in
                    initialized = buffer.count  // every byte is rendered before the alternatives are used
                }
            }
            return analysis.photo.pixels.withUnsafeBufferPointer { src in
                p.rotations.withUnsafeMutableBufferPointer { dst in
                    while p.rotation < k {
                        if p.labels.isEmpty {
                            // Label l becomes (l + rotation) mod K: one table lookup per pixel.
                            let table = (0..<256).map { UInt8(($0 + p.rotation) % k) }
                            let count = reference.labels.count
                            p.labels = [UInt8](unsafeUninitializedCapacity: count) { rotated, initialized in
                                reference.labels.withUnsafeBufferPointer { labels in
                                    table.withUnsafeBufferPointer { t in
                                        for i in 0..<count { rotated[i] = t[Int(labels[i])] }
                                    }
                                }
                                initialized = count
                            }
                        }
                        let out = dst.baseAddress! + (p.rotation - 1) * pixelBytes
                        do throws(ModelError) {
                            p.nextRow = try model.render(
                                plan, context: analysis.context, map: .labels(p.labels), threads: pipeline.threadsPerJob,
                                io: .srgb8(from: src.baseAddress!, into: out, width: width, strength: Float(reference.strength)),
                                from: p.nextRow, bandRows: bandRows, shouldStop: isCancelled)
                        } catch {
                            return .failure(error)
                        }
                        guard p.nextRow == height else { return .success(false) }
                        p.rotation += 1
                        p.nextRow = 0
                        p.labels = []
                    }
                    return .success(true)
                }
            }
        }
        let done: Bool
        do { done = try outcome.get() } catch { throw .inference(error) }
        guard done else { return nil }
        var complete = reference
        complete.alternatives = PresetAlternatives(presetCount: k, rotations: progress.withLock { $0.rotations })
        return analysis.with(reference: complete)
    }
}
