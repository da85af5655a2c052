/// Bounds checked against what a file *declares*, before any pixel memory is
/// allocated, so a 100-byte upload cannot make the service reserve gigabytes.
public struct DecodeLimits: Sendable, Equatable {
    /// 50 MP admits every current phone and most DSLR output (48 MP phones are
    /// 8064×6048) while bounding a decoded RGB8 buffer to 150 MB.
    public var maxPixels: Int
    /// 20 000 admits long panoramas; any longer side is refused outright.
    public var maxSide: Int
    /// Ordinary progressive JPEGs carry about 10 scans; 100 leaves room for
    /// exotic encoders while stopping scan bombs (thousands of tiny scans,
    /// each a full pass over the coefficient buffer).
    public var maxProgressiveScans: Int
    /// Cap on one ancillary PNG chunk (iCCP, text, eXIf): a larger declared
    /// length is refused; a compressed one inflating past it (a zlib bomb in
    /// iCCP or zTXt) is dropped by libpng (png_set_chunk_malloc_max).
    public var maxChunkBytes: Int
    /// Cap on libjpeg's own working memory. A 50 MP progressive 4:4:4 JPEG
    /// needs about 300 MB of coefficient buffers, hence 512 MiB.
    public var maxDecoderMemory: Int

    public init(
        maxPixels: Int = 50_000_000,
        maxSide: Int = 20_000,
        maxProgressiveScans: Int = 100,
        maxChunkBytes: Int = 8 << 20,
        maxDecoderMemory: Int = 512 << 20
    ) {
        self.maxPixels = maxPixels
        self.maxSide = maxSide
        self.maxProgressiveScans = maxProgressiveScans
        self.maxChunkBytes = maxChunkBytes
        self.maxDecoderMemory = maxDecoderMemory
    }

    public static let standard = DecodeLimits()

    /// Throws unless a declared `width`×`height` may be allocated.
    public func check(format: ImageFormat, width: Int, height: Int) throws(ImagingError) {
        guard width > 0, height > 0 else {
            throw .zeroDimensions(format: format, width: width, height: height)
        }
        guard width <= maxSide, height <= maxSide else {
            throw .sideTooLarge(format: format, width: width, height: height, maxSide: maxSide)
        }
        // Both sides are ≤ maxSide here, so the product cannot overflow Int.
        guard width * height <= maxPixels else {
            throw .tooManyPixels(format: format, width: width, height: height, maxPixels: maxPixels)
        }
    }
}
