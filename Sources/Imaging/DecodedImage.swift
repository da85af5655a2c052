/// A decoded upload: upright RGB8 pixels plus what the encoder needs to write
/// a faithful result.
public struct DecodedImage: Sendable, Equatable {
    /// Pixels with the EXIF orientation already applied.
    public var image: RGBImage
    /// Upright alpha plane (`width * height` bytes), only under
    /// `AlphaPolicy.preserve` and only when the source had transparency.
    public var alpha: [UInt8]?
    /// The ICC profile of `image`'s pixels, for the outputs to carry: the file's own as decoded;
    /// after `ColourManagement.toSRGB`, an sRGB profile (or the file's, when it was sRGB already),
    /// nil when the pixels are plain sRGB or the file's profile could not be used.
    public var iccProfile: [UInt8]?
    /// A HEIF/AVIF nclx colour description (used when there is no ICC profile).
    public var nclx: NCLXColour?
    /// What `ColourManagement` did to reach sRGB; `.none` straight out of a decoder.
    public var colourConversion: ColourConversion = .none
    /// The orientation the file declared (now applied; outputs carry none).
    public var orientation: ExifOrientation
    public var format: ImageFormat
    /// Whether the source had an alpha channel or tRNS transparency.
    public var hadAlpha: Bool
    /// Whether the source stored gray samples only (PNG colour types 0 and 4, gray JPEG): tells a
    /// 1- or 2-channel file from a colour one, which the RGB8 pixels alone cannot.
    public var isGrayscale: Bool

    public init(image: RGBImage, alpha: [UInt8]? = nil, iccProfile: [UInt8]? = nil, nclx: NCLXColour? = nil,
                orientation: ExifOrientation = .up, format: ImageFormat, hadAlpha: Bool = false,
                isGrayscale: Bool = false) {
        self.image = image
        self.alpha = alpha
        self.iccProfile = iccProfile
        self.nclx = nclx
        self.orientation = orientation
        self.format = format
        self.hadAlpha = hadAlpha
        self.isGrayscale = isGrayscale
    }

    /// Channels as stored: 1 gray, 2 gray+alpha, 3 colour, 4 colour+alpha.
    public var sourceChannels: Int { (isGrayscale ? 1 : 3) + (hadAlpha ? 1 : 0) }
}
