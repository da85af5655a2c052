/// Reads the one EXIF field the service acts on, the orientation, from a TIFF
/// stream (the JPEG APP1 payload after "Exif\0\0", or a PNG eXIf chunk).
/// The bytes are hostile: every offset is bounds-checked, and anything odd
/// yields nil (treated as "upright") rather than an error, as viewers do.
public enum EXIFReader {
    public static func orientation(tiff: UnsafeRawBufferPointer) -> ExifOrientation? {
        guard tiff.count >= 8 else { return nil }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true   // "II"
        case (0x4D, 0x4D): little = false  // "MM"
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            let a = Int(tiff[at]), b = Int(tiff[at + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard let hi = u16(little ? at + 2 : at), let lo = u16(little ? at : at + 2) else { return nil }
            return hi << 16 | lo
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return nil }
            guard tag == 0x0112 else { continue }
            // SHORT (type 3), count 1: the value sits in the first two bytes
            // of the value field.
            guard u16(at + 2) == 3, u32(at + 4) == 1, let value = u16(at + 8) else { return nil }
            return ExifOrientation(rawValue: value)
        }
        return nil
    }

    public static func orientation(tiff: [UInt8]) -> ExifOrientation? {
        tiff.withUnsafeBytes { orientation(tiff: $0) }
    }
}

extension EXIFReader {
    /// The orientation from an EXIF payload as containers store it: a TIFF stream, possibly behind
    /// "Exif\0\0" (WebP's EXIF chunk has it either way in the wild).
    public static func orientation(exifPayload: [UInt8]) -> ExifOrientation? {
        let prefix: [UInt8] = Array("Exif".utf8) + [0, 0]
        if exifPayload.starts(with: prefix) { return orientation(tiff: Array(exifPayload.dropFirst(6))) }
        return orientation(tiff: exifPayload)
    }
}
