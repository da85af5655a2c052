/// What a caller may choose about one adjustment.
public struct AdjustOptions: Sendable, Equatable {
    /// JPEG quality of the output, 1…100.
    public var quality: Int = 90
    /// A user-supplied adjustment map as PNG bytes: an 8-bit label image whose values are preset
    /// indices 0..<K, any size (resized to the photo, nearest neighbour). Nil uses the discovered map.
    public var mapPNG: [UInt8]? = nil

    public init(quality: Int = 90, mapPNG: [UInt8]? = nil) {
        self.quality = quality
        self.mapPNG = mapPNG
    }

    func validate() throws(AdjustError) {
        guard (1...100).contains(quality) else {
            throw .invalidOption("quality must be between 1 and 100, got \(quality)")
        }
    }
}
