/// The container formats the service reads and writes.
public enum ImageFormat: String, Sendable, Equatable, CustomStringConvertible {
    case jpeg = "JPEG"
    case png = "PNG"

    /// Sniffs the format from the leading magic bytes; nil when neither matches.
    /// Uploads carry untrusted Content-Type headers, so the bytes decide.
    public static func sniff(_ data: UnsafeRawBufferPointer) -> ImageFormat? {
        if data.count >= 3, data[0] == 0xFF, data[1] == 0xD8, data[2] == 0xFF { return .jpeg }
        if data.count >= 8,
           data[0] == 0x89, data[1] == 0x50, data[2] == 0x4E, data[3] == 0x47,
           data[4] == 0x0D, data[5] == 0x0A, data[6] == 0x1A, data[7] == 0x0A {
            return .png
        }
        return nil
    }

    public var description: String { rawValue }
}
