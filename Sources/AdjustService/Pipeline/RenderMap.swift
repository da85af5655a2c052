import Inference

/// The map one render uses, in the forms each later step takes: the colour pass's choice, the label
/// map the answer's PNG comes from, and each preset's share of the pixels. The discovered map is
/// snapped to the photo's edges unless `refine=false`; a user's map is used as painted unless
/// `refine=true`. A style whose file says `map_default: soft` (a smooth look, such as a graduated
/// filter, whose presets should fade into each other rather than meet at a line) blends its presets
/// by the discovered map's probabilities unless `refine` is given; its label map is the argmax.
struct RenderMap {
    let choice: MapChoice
    let labelMap: LabelMap
    let coverage: [Double]

    init(for analysis: AnalysedPhoto, userMap: UserMap?, options: AdjustOptions, presetCount: Int,
         snapping: EdgeSnapping, blendsDiscoveredMap: Bool = false, threads: Int) {
        let (width, height) = (analysis.width, analysis.height)
        if userMap == nil, blendsDiscoveredMap, options.refine == nil {
            choice = .soft
            labelMap = LabelMap(width: width, height: height, labels: analysis.context.mapLabels(height: height, width: width, threads: threads))
            coverage = labelMap.coverage(presetCount: presetCount)
            return
        }
        if let userMap, !options.refines(userMap: true) {
            choice = userMap.choice
            labelMap = userMap.labelMap
            coverage = userMap.coverage(presetCount: presetCount)
            return
        }
        let labels: [UInt8]
        if let userMap {
            labels = snapping.userLabels(userMap, of: analysis, presetCount: presetCount, threads: threads)
        } else if options.refines(userMap: false) {
            labels = snapping.discoveredLabels(analysis, threads: threads)
        } else {
            labels = analysis.context.mapLabels(height: height, width: width, threads: threads)
        }
        labelMap = LabelMap(width: width, height: height, labels: labels)
        choice = .labels(labelMap.labels)
        coverage = labelMap.coverage(presetCount: presetCount)
    }
}
