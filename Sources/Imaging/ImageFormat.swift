/// The container formats the service reads (all of them) and writes (`OutputFormat`).
public enum ImageFormat: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case jpeg = "JPEG"
    case png = "PNG"
    case webp = "WebP"
    /// HEIF with an HEVC-coded image: what iPhones and many Android phones store photos as.
    case heic = "HEIC"
    /// HEIF with an AV1-coded image.
    case avif = "AVIF"
    case tiff = "TIFF"

    /// Sniffs the format from the leading bytes; nil when none matches. Uploads carry untrusted
    /// file names and Content-Type headers, so the bytes decide.
    public static func sniff(_ data: UnsafeRawBufferPointer) -> ImageFormat? {
        func bytes(_ at: Int, _ expected: String) -> Bool {
            let ascii = Array(expected.utf8)
            guard data.count >= at + ascii.count else { return false }
            return ascii.indices.allSatisfy { data[at + $0] == ascii[$0] }
        }
        if data.count >= 3, data[0] == 0xFF, data[1] == 0xD8, data[2] == 0xFF { return .jpeg }
        if data.count >= 8, data[0] == 0x89, bytes(1, "PNG\r\n"), data[6] == 0x1A, data[7] == 0x0A { return .png }
        if bytes(0, "RIFF"), bytes(8, "WEBP") { return .webp }
        // Classic TIFF (42) and BigTIFF (43), either byte order.
        if data.count >= 4, (bytes(0, "II") && data[3] == 0 && (data[2] == 42 || data[2] == 43))
            || (bytes(0, "MM") && data[2] == 0 && (data[3] == 42 || data[3] == 43)) {
            return .tiff
        }
        if bytes(4, "ftyp") { return heifFormat(brands: data) }
        return nil
    }

    /// HEIC or AVIF from an ISO-BMFF `ftyp` box's major and compatible brands (ISO/IEC 23008-12
    /// and the AVIF specification): an AV1 brand anywhere makes it AVIF, an HEVC or generic HEIF
    /// brand HEIC; a box without either (an MP4 video, say) is neither.
    static func heifFormat(brands data: UnsafeRawBufferPointer) -> ImageFormat? {
        guard data.count >= 12 else { return nil }
        let declared = Int(data[0]) << 24 | Int(data[1]) << 16 | Int(data[2]) << 8 | Int(data[3])
        let end = min(data.count, max(declared, 12))
        var brands: [String] = [String(decoding: (8..<12).map { data[$0] }, as: UTF8.self)]
        var at = 16
        while at + 4 <= end {
            brands.append(String(decoding: (at..<at + 4).map { data[$0] }, as: UTF8.self))
            at += 4
        }
        if brands.contains(where: { $0 == "avif" || $0 == "avis" }) { return .avif }
        let heif: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "heif"]
        if brands.contains(where: heif.contains) { return .heic }
        return nil
    }

    /// The media type an answer in this format carries.
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .heic: "image/heic"
        case .avif: "image/avif"
        case .tiff: "image/tiff"
        }
    }

    public var description: String { rawValue }
}
