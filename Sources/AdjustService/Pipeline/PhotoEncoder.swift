import Imaging

/// Encodes an answer's photo in any `OutputFormat` (JPEG here only for a whole-image encode; the
/// pipeline's JPEG path is `SegmentedJPEG`, which re-encodes only what a re-render changed).
struct PhotoEncoder: Sendable {
    var format: OutputFormat
    var quality: Int
    var threads: Int

    init(format: OutputFormat, quality: Int = 90, threads: Int = 1) {
        self.format = format
        self.quality = quality
        self.threads = threads
    }

    func encode(_ image: RGBImage, iccProfile: [UInt8]?) throws(ImagingError) -> [UInt8] {
        switch format {
        case .jpeg: try JPEGEncoder(options: JPEGEncodeOptions(quality: quality)).encode(image, iccProfile: iccProfile)
        case .png: try PNGEncoder(compressionLevel: PNGEncoder.photoCompressionLevel).encode(image, iccProfile: iccProfile)
        case .webp: try WebPEncoder(quality: quality).encode(image, iccProfile: iccProfile)
        case .webpLossless: try WebPEncoder(quality: WebPEncoder.losslessEffort, lossless: true).encode(image, iccProfile: iccProfile)
        case .avif: try AVIFEncoder(quality: quality, threads: threads).encode(image, iccProfile: iccProfile)
        }
    }
}
