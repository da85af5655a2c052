import Inference

/// Moves a map's boundaries onto the photo's edges before the colour pass (GuidedMapFilter): the
/// discovered map from its probabilities, a user's map from its labels or weights, so a rough stroke
/// over an object follows the object. The result is a label map: the colour pass, the partial
/// re-render of changed pixels and the map PNG all take it as they take any other.
struct EdgeSnapping: Sendable {
    let settings: MapRefinementSettings

    /// The discovered map of `analysis`, refined.
    func discoveredLabels(_ analysis: AnalysedPhoto, threads: Int) -> [UInt8] {
        let (h, w) = (analysis.height, analysis.width)
        let guide = GuidedMapFilter.guide(rgb: analysis.photo.pixels, height: h, width: w, longSide: settings.guideLongSide)
        let weights = analysis.context.mapProbabilities(height: guide.height, width: guide.width, threads: threads)
        return GuidedMapFilter(weights: weights, guide: guide, settings: settings, threads: threads)
            .labels(rgb: analysis.photo.pixels, height: h, width: w, threads: threads)
    }

    /// A user's map of `analysis`'s photo, refined.
    func userLabels(_ map: UserMap, of analysis: AnalysedPhoto, presetCount k: Int, threads: Int) -> [UInt8] {
        let (h, w) = (analysis.height, analysis.width)
        let guide = GuidedMapFilter.guide(rgb: analysis.photo.pixels, height: h, width: w, longSide: settings.guideLongSide)
        let weights: Tensor
        switch map.choice {
        case let .labels(labels):
            weights = GuidedMapFilter.weights(labels: labels, presetCount: k, height: h, width: w,
                                              guideHeight: guide.height, guideWidth: guide.width)
        case let .user(planes):
            weights = GuidedMapFilter.weights(planes: planes, guideHeight: guide.height, guideWidth: guide.width)
        case .argmax, .soft:
            preconditionFailure("a user map is labels or weight planes")
        }
        return GuidedMapFilter(weights: weights, guide: guide, settings: settings, threads: threads)
            .labels(rgb: analysis.photo.pixels, height: h, width: w, threads: threads)
    }
}
