/// Bounds on what a multipart/form-data body may contain. Every one is checked while the body
/// streams through the parser, so a hostile body is refused as soon as it crosses a limit rather
/// than after it has been read (or buffered) whole.
///
/// Exceeding any of them is a size-limit error (`MultipartError.isSizeLimit`, answered with 413).
public struct MultipartLimits: Sendable, Equatable {
    /// Most parts (fields and files) in one body. Default 100: a form has a handful of fields;
    /// thousands of tiny parts only cost the server a head parse and an allocation each.
    public var maxParts: Int

    /// Largest head of a single part: its header lines, line terminators and the blank line that
    /// ends them. Default 8 KiB: a Content-Disposition with a long filename and a Content-Type fit
    /// easily, and this is the only part of a body the parser must buffer before handing it out.
    public var maxPartHeaderBytes: Int

    /// Largest body of a single part, in bytes of content (the CRLF before the next delimiter is
    /// not content). Default 64 MiB, the same as `HTTPLimits.maxBodyBytes`, so that a 50 MB photo
    /// upload fits with room to spare.
    public var maxPartBytes: Int

    /// Largest whole multipart body, counting every byte fed: preamble, delimiters, heads, bodies
    /// and epilogue. `nil` leaves the total to the HTTP layer. Default 64 MiB, matching
    /// `HTTPLimits.maxBodyBytes`; the collector keeps at most this much in memory.
    public var maxTotalBytes: Int?

    /// Defaults as documented on each property; pass only the limits to change.
    public init(maxParts: Int = 100, maxPartHeaderBytes: Int = 8 * 1024, maxPartBytes: Int = 64 * 1024 * 1024, maxTotalBytes: Int? = 64 * 1024 * 1024) {
        self.maxParts = maxParts
        self.maxPartHeaderBytes = maxPartHeaderBytes
        self.maxPartBytes = maxPartBytes
        self.maxTotalBytes = maxTotalBytes
    }
}
