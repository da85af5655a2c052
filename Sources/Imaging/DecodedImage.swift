/// A decoded upload: upright RGB8 pixels plus what the encoder needs to write
/// a faithful result.
public struct DecodedImage: Sendable, Equatable {
    /// Pixels with the EXIF orientation already applied.
    public var image: RGBImage
    /// Upright alpha plane (`width * height` bytes), only under
    /// `AlphaPolicy.preserve` and only when the source had transparency.
    public var alpha: [UInt8]?
    /// The embedded ICC profile, to be written unchanged into the output.
    /// Pixels are treated as sRGB whatever it says.
    public var iccProfile: [UInt8]?
    /// The orientation the file declared (now applied; outputs carry none).
    public var orientation: ExifOrientation
    public var format: ImageFormat
    /// Whether the source had an alpha channel or tRNS transparency.
    public var hadAlpha: Bool
    /// Whether the source stored gray samples only (PNG colour types 0 and 4, gray JPEG): tells a
    /// 1- or 2-channel file from a colour one, which the RGB8 pixels alone cannot.
    public var isGrayscale: Bool

    public init(image: RGBImage, alpha: [UInt8]? = nil, iccProfile: [UInt8]? = nil,
                orientation: ExifOrientation = .up, format: ImageFormat, hadAlpha: Bool = false,
                isGrayscale: Bool = false) {
        self.image = image
        self.alpha = alpha
        self.iccProfile = iccProfile
        self.orientation = orientation
        self.format = format
        self.hadAlpha = hadAlpha
        self.isGrayscale = isGrayscale
    }

    /// Channels as stored: 1 gray, 2 gray+alpha, 3 colour, 4 colour+alpha.
    public var sourceChannels: Int { (isGrayscale ? 1 : 3) + (hadAlpha ? 1 : 0) }
}
