/// What the parser reports while a body streams through it. For each part, in order:
/// one `partBegin`, any number of `partData`, one `partEnd`.
public enum MultipartEvent {
    /// A part's header section is complete.
    case partBegin(MultipartPartHead)
    /// The next bytes of the current part's body. The buffer is a view into the chunk just fed
    /// (or, for a few bytes that were held back because they might have begun a delimiter, into
    /// the parser's own storage): it is valid only until the handler returns, so copy what you
    /// keep. Never empty.
    case partData(UnsafeRawBufferPointer)
    /// The current part's body is complete.
    case partEnd
}
