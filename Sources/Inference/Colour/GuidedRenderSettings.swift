/// The knobs of guided upsampling (RenderMethod.guided). Defaults from bench/inference's `--tune`
/// (ECSSD photos upscaled to 2 MP, full-size head): the error follows the number of grid cells, not
/// the guide size (guide 512 / cell 4, 768 / 6 and 1024 / 8 all gave mean ΔE 0.055, p99 0.32 against
/// the exact pass), so the smallest guide with 128 cells on the long side (about the conv1 piece's
/// resolution, the finest spatial detail of the head) is the default: the guide pass costs least.
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

    public init(guideLongSide: Int = 512, cellSize: Int = 4, luminanceBins: Int = 8, ridge: Float = 1e-3) {
        precondition(guideLongSide >= 16 && cellSize >= 1 && luminanceBins >= 2 && luminanceBins <= 64 && ridge >= 0)
        self.guideLongSide = guideLongSide
        self.cellSize = cellSize
        self.luminanceBins = luminanceBins
        self.ridge = ridge
    }

    public static let standard = GuidedRenderSettings()

    /// Above this pixel count `.automatic` renders guided. Guided costs about one exact pass at the
    /// guide size (~0.2 MP) plus the fit and a few ns per pixel; exact costs ~0.1-0.3 µs per pixel.
    /// Below ~1 MP the exact pass takes under ~0.2 s on one core, so exactness is nearly free there;
    /// above, guided wins by a factor that grows with the photo (3x at 2 MP, ~10x at 12 MP).
    public static let automaticThreshold = 1_000_000
}
