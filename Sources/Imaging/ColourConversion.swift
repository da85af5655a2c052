/// What the decoder did with the colour space a photo declared. The model works in sRGB → Lab, so
/// every photo reaches it as sRGB; the answer is sRGB too, tagged with an sRGB profile when the
/// source carried a profile (ColourManagement says why not back into the source's space).
public enum ColourConversion: Sendable, Equatable {
    /// No profile and no nclx box (or nclx code points meaning sRGB): sRGB, as viewers assume.
    case none
    /// An ICC profile describing sRGB: pixels kept, the profile written unchanged into outputs.
    case alreadySRGB
    /// Converted to sRGB from the named colour space (an ICC profile's description, or nclx).
    case converted(from: String)
    /// A profile that could not be used (unreadable, CMYK or Lab data, PQ/HLG transfer): pixels
    /// taken as sRGB, and the profile not written into outputs (it would misdescribe them).
    case ignored(reason: String)
}
