public import Imaging
public import Inference

/// A photo after the expensive half of the pipeline: decoded, upright, at its output size, with
/// the context pass (trunk, ReNet, folded heads) done for one style. Re-rendering it with another
/// map costs only the colour pass and the encode, which is what the `image_id` loop relies on.
public struct AnalysedPhoto: Sendable {
    /// The style whose head folded the context: a context is only valid for that style.
    public let styleID: String
    /// The revision of the style's model that made the context (AdjustPipeline.revision).
    public let modelRevision: UInt64
    /// Upright RGB8 at the output size (after any `maxSide` downscale).
    public let photo: RGBImage
    /// Written unchanged into every output JPEG.
    public let iccProfile: [UInt8]?
    public let context: ContextResult
    /// The colour pass's plan at the output size: a re-render skips the guided fit.
    public let plan: RenderPlan
    /// The first request's render with its labels: a re-render with labels renders only the rows
    /// that differ from them. Nil until that render (or when it used a weight map).
    let reference: ReferenceRender?

    public var width: Int { photo.width }
    public var height: Int { photo.height }

    /// What keeping this photo costs in memory.
    public var byteCount: Int { photo.pixels.count + context.byteCount + plan.byteCount + (reference?.byteCount ?? 0) + (iccProfile?.count ?? 0) }

    func with(reference: ReferenceRender) -> AnalysedPhoto {
        AnalysedPhoto(styleID: styleID, modelRevision: modelRevision, photo: photo, iccProfile: iccProfile, context: context, plan: plan, reference: reference)
    }
}
