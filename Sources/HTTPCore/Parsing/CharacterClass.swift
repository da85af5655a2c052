/// Byte classes of the HTTP grammar (RFC 9110 §5.6, RFC 3986), as 256-entry lookup tables so that
/// validation in the hot path is one load per byte.
enum CharacterClass {
    /// tchar: the characters of a token (method names, header names, transfer codings).
    static let token = alphanumerics(plus: "!#$%&'*+-.^_`|~")

    /// field-vchar / obs-text plus SP and HTAB: what may appear inside a field value. Excludes every
    /// control character (NUL, bare CR, LF, DEL), which is how header injection gets in.
    static let fieldValue: [Bool] = table { byte in
        byte == 0x09 || byte == 0x20 || (byte >= 0x21 && byte != 0x7F)
    }

    /// The characters RFC 3986 allows in a URI: unreserved, reserved (gen-delims and sub-delims),
    /// and `%` for escapes. `#` is excluded: a fragment is never sent in a request-target.
    static let requestTarget = alphanumerics(plus: "-._~:/?[]@!$&'()*+,;=%")

    /// The characters of a Host header: reg-name, IP-literal and port.
    static let host = alphanumerics(plus: "-._~!$&'()*+,;=:%[]")

    /// ASCII letters and digits plus the given punctuation.
    private static func alphanumerics(plus punctuation: String) -> [Bool] {
        let extra = Array(punctuation.utf8)
        return table { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: extra.contains(byte)
            }
        }
    }

    private static func table(_ predicate: (UInt8) -> Bool) -> [Bool] {
        (0...255).map { predicate(UInt8($0)) }
    }
}
