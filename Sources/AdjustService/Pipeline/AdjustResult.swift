/// A retouched photo and the adjustment map that produced it.
public struct AdjustResult: Sendable {
    public struct Stage: Sendable, Equatable {
        public let name: String
        public let duration: Duration

        public var milliseconds: Double { duration / .milliseconds(1) }
    }

    /// The output photo, encoded as `format`, at the input's full resolution (or `maxSide`) and
    /// upright orientation.
    public let image: [UInt8]
    public let format: OutputFormat
    /// The map used, as an 8-bit PNG label image (values 0..<K, the photo's size): a format a
    /// user can edit and send back. For a weight map, its argmax. Nil when the options asked for
    /// no map (`encodesMap` false).
    public let mapPNG: [UInt8]?
    public let width: Int
    public let height: Int
    public let presetNames: [String]
    /// Fraction of pixels assigned to each preset (mean weight for a weight map).
    public let coverage: [Double]
    /// Whether the map was the user's rather than the discovered one.
    public let usedUserMap: Bool
    /// The strength the adjustment was applied at (AdjustOptions.strength).
    public let strength: Double
    public let stages: [Stage]
    /// Rows the colour pass rendered: all of them, or for a re-render with a label map only those
    /// whose labels differ from the first render's (the rest are copied from it).
    public let renderedRows: Int
    /// Whether the changed pixels were picked from the photo's preset alternatives (made in idle
    /// time after the first answer) rather than rendered: the same bytes, at the cost of a copy.
    public let pickedFromAlternatives: Bool
    /// The decoded photo and its context, for re-rendering with another map without the trunk.
    public let analysis: AnalysedPhoto
}
