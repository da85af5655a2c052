/// What a caller may choose about one adjustment.
public struct AdjustOptions: Sendable, Equatable {
    /// The smallest and largest `maxSide` accepted: below 64 px the trunk sees almost nothing, above
    /// the decoder's side limit the option could never apply.
    public static let maxSideRange = 64...20_000

    /// Quality of a lossy output (JPEG, WebP, AVIF), 1…100; the lossless formats ignore it.
    public var quality: Int = 90
    /// The answer's image format.
    public var format: OutputFormat = .jpeg
    /// How much of the adjustment is applied, 0…1: each pixel's Lab colour is
    /// `input + strength · (adjusted − input)` (0 gives the input's colours back, 1 the full effect).
    public var strength: Double = 1
    /// A user-supplied adjustment map as PNG bytes, any size (resized to the photo): an 8-bit
    /// grayscale label image of preset indices 0..<K, or a PNG with exactly K channels of per-preset
    /// weights (K = 2 gray+alpha, 3 RGB, 4 RGBA). Nil uses the discovered map.
    public var mapPNG: [UInt8]? = nil
    /// When set, a photo whose long side is larger is downscaled to it first; the output has that size.
    public var maxSide: Int? = nil
    /// Whether the result carries the map as PNG. Encoding a 12-megapixel label map costs about a
    /// third of a second; an answer that returns only the photo skips it.
    public var encodesMap: Bool = true
    /// Whether the map is snapped to the photo's edges before the colour pass (GuidedMapFilter,
    /// `AdjustPipeline.mapRefinement`); the answer's map is the snapped one. Nil: the discovered map
    /// is snapped (its boundaries come from 1/4–1/16-scale features; snapping lowers the error at
    /// every source's boundaries and costs a few ms, BENCHMARKS.md), a user's map is taken as painted
    /// (it may be exactly what the user wants); true or false says so for either map.
    public var refine: Bool? = nil

    public init(quality: Int = 90, format: OutputFormat = .jpeg, strength: Double = 1, mapPNG: [UInt8]? = nil,
                maxSide: Int? = nil, encodesMap: Bool = true, refine: Bool? = nil) {
        self.quality = quality
        self.format = format
        self.strength = strength
        self.mapPNG = mapPNG
        self.maxSide = maxSide
        self.encodesMap = encodesMap
        self.refine = refine
    }

    func validate() throws(AdjustError) {
        guard (1...100).contains(quality) else {
            throw .invalidOption("quality must be between 1 and 100, got \(quality)")
        }
        guard strength.isFinite, (0...1).contains(strength) else {
            throw .invalidOption("strength must be between 0 and 1, got \(strength)")
        }
        if let maxSide, !Self.maxSideRange.contains(maxSide) {
            throw .invalidOption("max_side must be between \(Self.maxSideRange.lowerBound) and \(Self.maxSideRange.upperBound), got \(maxSide)")
        }
    }

    /// Whether this request's map is snapped: `refine` if given, else only a discovered map.
    func refines(userMap: Bool) -> Bool { refine ?? !userMap }
}
