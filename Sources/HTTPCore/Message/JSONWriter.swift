/// A minimal streaming JSON writer for the few documents HTTPCore emits itself (problem details),
/// so the HTTP layer needs no Foundation.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    public init() { bytes.reserveCapacity(256) }

    /// A writer whose buffer holds `capacity` bytes before it grows (a document with megabytes of
    /// base64 in it is then built without copying itself on the way).
    public init(capacity: Int) { bytes.reserveCapacity(max(256, capacity)) }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    public mutating func key(_ name: String) {
        separate()
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
        // The value that follows must not be preceded by a comma.
        needsComma[needsComma.count - 1] = false
    }

    public mutating func value(_ s: String) { separate(); writeString(s) }
    public mutating func value(_ i: Int) { separate(); bytes.append(contentsOf: String(i).utf8) }
    public mutating func value(_ b: Bool) { separate(); bytes.append(contentsOf: (b ? "true" : "false").utf8) }
    public mutating func value(_ d: Double) {
        separate()
        // JSON has no NaN or infinity; null is the honest rendering of a missing number.
        bytes.append(contentsOf: (d.isFinite ? "\(d)" : "null").utf8)
    }
    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8) }

    public mutating func member(_ name: String, _ v: String) { key(name); value(v) }
    public mutating func member(_ name: String, _ v: Int) { key(name); value(v) }
    public mutating func member(_ name: String, _ v: Bool) { key(name); value(v) }
    public mutating func member(_ name: String, _ v: Double) { key(name); value(v) }
    /// `name` with the standard base64 (RFC 4648, padded) of `data` as its string value, written
    /// straight into the document: no intermediate String, and base64 needs no escaping.
    public mutating func member(_ name: String, base64 data: [UInt8]) {
        key(name)
        separate()
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: (data.count + 2) / 3 * 4))
        bytes.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { Self.base64($0, into: out.baseAddress! + start) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static func base64(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) {
        base64Alphabet.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            let n = input.count, whole = n / 3 * 3
            var o = out
            var i = 0
            while i < whole {
                let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                o[0] = t[Int(v >> 18)]
                o[1] = t[Int(v >> 12 & 63)]
                o[2] = t[Int(v >> 6 & 63)]
                o[3] = t[Int(v & 63)]
                o += 4
                i += 3
            }
            guard i < n else { return }
            let second = i + 1 < n
            let v = UInt32(input[i]) << 16 | (second ? UInt32(input[i + 1]) << 8 : 0)
            o[0] = t[Int(v >> 18)]
            o[1] = t[Int(v >> 12 & 63)]
            o[2] = second ? t[Int(v >> 6 & 63)] : UInt8(ascii: "=")
            o[3] = UInt8(ascii: "=")
        }
    }

    public mutating func member(_ name: String, _ list: [String]) {
        key(name)
        beginArray()
        for item in list { value(item) }
        endArray()
    }

    private mutating func separate() {
        guard let last = needsComma.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape at all (the base64 of a photo is megabytes of them): one
        // scan, then one copy, instead of a switch and an append per byte.
        let copied = s.utf8.withContiguousStorageIfAvailable { raw -> Bool in
            guard !raw.contains(where: Self.needsEscape) else { return false }
            bytes.append(contentsOf: raw)
            return true
        } ?? false
        if !copied { writeEscaped(s) }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte == 0x7F
    }

    private mutating func writeEscaped(_ s: String) {
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
    }
}
