/// Size limits on what a client may send; each has its own status when exceeded.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line (method, target, version). Longer → 414 URI Too Long.
    public var maxRequestLineBytes: Int = 8 * 1024
    /// Largest header section including the request line. Larger → 431.
    public var maxHeaderBytes: Int = 32 * 1024
    /// Most header fields. More → 431.
    public var maxHeaderCount: Int = 100
    /// Largest request body, declared or chunked. Larger → 413 Content Too Large.
    public var maxBodyBytes: Int = 64 * 1024 * 1024
    /// Largest chunk-extension and largest trailer section of a chunked body. Larger → 400 / 431.
    public var maxChunkExtensionBytes: Int = 1024
    public var maxTrailerBytes: Int = 8 * 1024

    public init() {}
}
