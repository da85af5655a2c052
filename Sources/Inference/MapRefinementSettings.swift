/// The knobs of the edge-aware map refinement (GuidedMapFilter). The map head sees 1/4–1/16-scale
/// features, so its boundaries are smooth ramps that ignore the photo's edges; a guided filter with
/// the photo as the guide moves them onto the edges. Defaults from a first `training.edge_eval` run
/// (15 val photos of the popout sources: a window of 0.08 of the long side and ε 1e-4 gave the lowest
/// error near the boundaries); to be tuned per source on the val splits.
public struct MapRefinementSettings: Sendable, Equatable {
    /// Long side of the point-sampled guide on which the filter's coefficients are fitted; photos
    /// at most this large are filtered at their own size (exact guided filter).
    public var guideLongSide: Int
    /// Window radius as a fraction of the guide's long side: the map is fitted as an affine function
    /// of the photo's colour in windows this large, so it must span the map's misplacement (a
    /// layer3 cell is 1/20 of the working long side).
    public var radiusFraction: Double
    /// Regularisation of the fit, in squared units of the guide (RGB in [0, 1]): below the colour
    /// variance of an edge the map follows the edge, above it the map stays as predicted.
    public var epsilon: Double

    public init(guideLongSide: Int = 512, radiusFraction: Double = 0.08, epsilon: Double = 1e-4) {
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
