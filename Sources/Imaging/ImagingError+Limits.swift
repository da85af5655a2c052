extension ImagingError {
    /// Whether the file was refused for its size (declared pixels, side, scans, chunk or decoder
    /// memory) rather than for being malformed: the client's fix is to send a smaller image.
    public var isSizeLimit: Bool {
        switch self {
        case .sideTooLarge, .tooManyPixels, .sizeLimit, .tooManyProgressiveScans, .decoderMemoryLimit, .chunkTooLarge: true
        default: false
        }
    }
}
