/// Small bridges between Swift arrays and the C shims' byte buffers.
enum CBuffers {
    /// Copies C-owned bytes (valid only until the handle is destroyed).
    static func copy(_ pointer: UnsafePointer<UInt8>?, _ length: Int) -> [UInt8]? {
        guard let pointer, length > 0 else { return nil }
        return Array(UnsafeBufferPointer(start: pointer, count: length))
    }

    /// `bytes.withUnsafeBytes` for a typed-throwing body; the standard
    /// library's version only rethrows untyped errors.
    static func withBytes<T>(
        _ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(ImagingError) -> T
    ) throws(ImagingError) -> T {
        let result: Result<T, ImagingError> = bytes.withUnsafeBytes { raw in
            Result { () throws(ImagingError) in try body(raw) }
        }
        return try result.get()
    }
}
