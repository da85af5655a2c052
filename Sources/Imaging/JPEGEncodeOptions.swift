/// How `JPEGEncoder` writes.
public struct JPEGEncodeOptions: Sendable, Equatable {
    /// libjpeg quality, 1...100.
    public var quality: Int
    public var chromaSubsampling: ChromaSubsampling
    /// Progressive files render coarse-to-fine over slow links and are
    /// usually a little smaller, at some encode time.
    public var progressive: Bool
    /// Optimal Huffman tables: a few percent smaller for one extra pass.
    public var optimizeCoding: Bool
    /// A restart marker after every this many MCUs (0: none, 0...65535). Decoders resynchronise at
    /// each; `SegmentedJPEG` picks one that cuts every MCU row into equal segments.
    public var restartInterval: Int

    public init(quality: Int = 90, chromaSubsampling: ChromaSubsampling = .yuv420,
                progressive: Bool = false, optimizeCoding: Bool = true, restartInterval: Int = 0) {
        self.quality = quality
        self.chromaSubsampling = chromaSubsampling
        self.progressive = progressive
        self.optimizeCoding = optimizeCoding
        self.restartInterval = restartInterval
    }
}
