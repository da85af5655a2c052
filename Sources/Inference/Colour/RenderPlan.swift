/// What the colour pass of one photo at one size needs besides the map, worked out once per photo
/// by `SAAdjustModel.plan`: the method resolved for its size and, for guided rendering, the fitted
/// grid of affine colour transforms. The grid holds one transform set per preset (the map only
/// picks among them per pixel), so it serves every map: a re-render with a repainted map reuses
/// the plan and skips the guide's exact pass and the fit. Valid only with the context it was
/// planned from.
public struct RenderPlan: Sendable {
    public let height: Int
    public let width: Int
    /// nil: the exact head at every pixel.
    let grid: AffineColourGrid?

    public var isGuided: Bool { grid != nil }

    /// What keeping the plan costs in memory (the grid's coefficients).
    public var byteCount: Int { (grid?.coefficients.count ?? 0) * MemoryLayout<Float>.stride }
}
