/// A HEIF/AVIF `colr` box of type nclx: the colour space by code points (ISO/IEC 23091-2) rather
/// than by an ICC profile.
public struct NCLXColour: Sendable, Equatable {
    /// ColourPrimaries (1 BT.709/sRGB, 9 BT.2020, 12 Display P3, 2 unspecified …).
    public var primaries: Int
    /// TransferCharacteristics (13 sRGB, 1/6/14/15 BT.709-like, 16 PQ, 18 HLG …).
    public var transfer: Int
    public var matrix: Int
    public var fullRange: Bool
    /// Red, green, blue and white as CIE xy, as libheif decodes `primaries`.
    public var primariesXY: [Float]

    public init(primaries: Int, transfer: Int, matrix: Int, fullRange: Bool, primariesXY: [Float]) {
        self.primaries = primaries
        self.transfer = transfer
        self.matrix = matrix
        self.fullRange = fullRange
        self.primariesXY = primariesXY
    }

    /// Whether the code points already mean sRGB (or leave it unsaid, which viewers take as sRGB).
    public var isSRGB: Bool {
        [1, 2].contains(primaries) && [2, 13].contains(transfer)
    }
}
