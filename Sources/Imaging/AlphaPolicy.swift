/// What decoding does with a PNG's alpha channel (or tRNS transparency).
/// The output is always RGB8; alpha is never dropped silently.
public enum AlphaPolicy: Sendable, Equatable {
    /// Blend over an opaque background colour: `round((c·a + bg·(255−a)) / 255)`.
    case composite(red: UInt8, green: UInt8, blue: UInt8)
    /// Keep colour unpremultiplied and return alpha as its own plane in
    /// `DecodedImage.alpha`.
    case preserve

    /// Photos shown on paper-white, as most viewers show transparent PNGs.
    public static let compositeOverWhite = AlphaPolicy.composite(red: 255, green: 255, blue: 255)
}
