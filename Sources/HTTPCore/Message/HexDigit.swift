/// One hexadecimal digit, as percent-escapes (RFC 3986), chunk sizes (RFC 9112) and digests spell it.
public enum HexDigit {
    /// The digit's value, or nil for a byte that is not `0-9`, `a-f` or `A-F`.
    @inlinable
    public static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
