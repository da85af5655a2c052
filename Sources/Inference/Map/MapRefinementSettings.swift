/// The knobs of the edge-aware map refinement (GuidedMapFilter). The map head sees 1/4–1/16-scale
/// features, so its boundaries are smooth ramps that ignore the photo's edges; a guided filter with
/// the photo as the guide moves them onto the edges. Defaults chosen on the val split of every popout
/// source (`training.edge_eval`, 12 photos each, windows 0.015–0.12 of the long side, ε 1e-5–1e-3):
/// 0.04 and 1e-4 gave the lowest error within 6 px of the true boundaries on ECSSD and the horses and
/// within 0.06 Lab of the best on SOD; wider windows drag the map across neighbouring objects, narrower
/// ones cannot reach a boundary the map head misplaced by a layer2 cell.
public struct MapRefinementSettings: Sendable, Equatable {
    /// Long side of the point-sampled guide on which the filter's coefficients are fitted; photos
    /// at most this large are filtered at their own size (exact guided filter).
    public var guideLongSide: Int
    /// Window radius as a fraction of the guide's long side: the map is fitted as an affine function
    /// of the photo's colour in windows this large, so it must span the map's misplacement (a
    /// layer2 cell is 1/40 of the working long side, a layer3 cell 1/20).
    public var radiusFraction: Double
    /// Regularisation of the fit, in squared units of the guide (RGB in [0, 1]): below the colour
    /// variance of an edge the map follows the edge, above it the map stays as predicted.
    public var epsilon: Double

    public init(guideLongSide: Int = 512, radiusFraction: Double = 0.04, epsilon: Double = 1e-4) {
        precondition(guideLongSide >= 16 && radiusFraction > 0 && radiusFraction < 1 && epsilon > 0)
        self.guideLongSide = guideLongSide
        self.radiusFraction = radiusFraction
        self.epsilon = epsilon
    }

    public static let standard = MapRefinementSettings()

    /// The window radius in guide pixels for a guide of this size.
    func radius(guideHeight: Int, guideWidth: Int) -> Int {
        max(1, Int((radiusFraction * Double(max(guideHeight, guideWidth))).rounded()))
    }
}
