/// How the full-resolution colour pass evaluates the head.
public enum RenderMethod: Sendable, Equatable {
    /// The low-rank bilinear head at every pixel (d tanh per pixel): the reference's output.
    case exact
    /// The exact head at a guide resolution, fitted by per-cell affine Lab transforms and applied at
    /// full resolution (bilateral-grid style); a few multiply-adds per pixel.
    case guided(GuidedRenderSettings)
    /// `.guided(.standard)` when the photo has more than `GuidedRenderSettings.automaticThreshold`
    /// pixels and is larger than the guide, `.exact` otherwise.
    case automatic

    /// The method actually used for a height × width render.
    func resolved(height: Int, width: Int) -> RenderMethod {
        switch self {
        case .exact, .guided: return self
        case .automatic:
            let s = GuidedRenderSettings.standard
            let larger = max(height, width) > s.guideLongSide
            return larger && height * width > GuidedRenderSettings.automaticThreshold ? .guided(s) : .exact
        }
    }
}
