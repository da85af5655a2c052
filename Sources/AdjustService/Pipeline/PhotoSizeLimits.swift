import Imaging

/// The sizes an uploaded photo may declare before anything is decoded: Imaging's `DecodeLimits`
/// for callers that see only AdjustService (the server's `--max-pixels` and `--max-side`).
public struct PhotoSizeLimits: Sendable, Equatable {
    /// Declared width × height; 50 MP by default (48 MP phones are 8064×6048), which bounds one
    /// decoded RGB8 photo to 150 MB.
    public var maxPixels: Int
    /// Either side; 20 000 by default, for long panoramas.
    public var maxSide: Int

    public init(maxPixels: Int? = nil, maxSide: Int? = nil) {
        self.maxPixels = maxPixels ?? DecodeLimits.standard.maxPixels
        self.maxSide = maxSide ?? DecodeLimits.standard.maxSide
    }

    public static let standard = PhotoSizeLimits()

    var decodeLimits: DecodeLimits {
        var limits = DecodeLimits.standard
        limits.maxPixels = maxPixels
        limits.maxSide = maxSide
        return limits
    }
}
