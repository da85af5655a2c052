/// The knobs of guided upsampling (RenderMethod.guided). The defaults are the ones measured in
/// bench/inference (Lab error against the exact pass on 2-megapixel photos, see the README there).
public struct GuidedRenderSettings: Sendable, Equatable {
    /// Long side of the guide on which the exact head runs and the transforms are fitted.
    public var guideLongSide: Int
    /// Guide pixels per grid cell along each axis.
    public var cellSize: Int
    /// Luminance bins per cell (nodes at L = 0, 100/(bins−1), …, 100).
    public var luminanceBins: Int
    /// Ridge weight, as a fraction of a cell's pixel weight, pulling each bin's transform toward its
    /// cell's all-luminance transform (and that one's slopes toward zero): keeps sparsely populated
    /// bins stable without biasing well-populated ones.
    public var ridge: Float

    public init(guideLongSide: Int = 768, cellSize: Int = 6, luminanceBins: Int = 8, ridge: Float = 1e-3) {
        precondition(guideLongSide >= 16 && cellSize >= 1 && luminanceBins >= 2 && luminanceBins <= 64 && ridge >= 0)
        self.guideLongSide = guideLongSide
        self.cellSize = cellSize
        self.luminanceBins = luminanceBins
        self.ridge = ridge
    }

    public static let standard = GuidedRenderSettings()

    /// Above this pixel count `.automatic` renders guided. Guided costs about one exact pass at the
    /// guide size (~0.45 MP) plus ~15 ns per pixel; exact costs ~0.1-0.2 µs per pixel, so guided wins
    /// from about 1 MP, and below it the exact pass is fast enough that its exactness is free.
    public static let automaticThreshold = 1_000_000
}
