/// The `value *( OWS ";" OWS name=value )` syntax shared by Content-Type (RFC 9110 §5.6.6) and
/// Content-Disposition (RFC 6266 / RFC 7578), parsed once here so both headers agree on quoting.
enum MultipartHeaderValue {
    typealias Parameter = (name: String, value: String)

    /// Splits `value` into its leading item (media type or disposition type, trimmed, case kept)
    /// and its parameters (names lowercased, values unquoted, order and duplicates kept so that
    /// callers can refuse ambiguous duplicates). `failure` turns a reason into the caller's error.
    static func parse(
        _ value: String,
        failure: (String) -> MultipartError
    ) throws(MultipartError) -> (leading: String, parameters: [Parameter]) {
        let bytes = Array(value.utf8)
        let count = bytes.count
        var index = 0
        skipWhitespace(bytes, &index)
        let leadingStart = index
        while index < count && bytes[index] != UInt8(ascii: ";") { index += 1 }
        var leadingEnd = index
        while leadingEnd > leadingStart && isWhitespace(bytes[leadingEnd - 1]) { leadingEnd -= 1 }
        let leading = String(decoding: bytes[leadingStart..<leadingEnd], as: UTF8.self)

        var parameters: [Parameter] = []
        while index < count {
            index += 1  // the ";"
            skipWhitespace(bytes, &index)
            // `*( OWS ";" OWS [ parameter ] )`: empty parameters and a trailing ";" are allowed.
            if index == count { break }
            if bytes[index] == UInt8(ascii: ";") { continue }

            let nameStart = index
            while index < count && isToken(bytes[index]) { index += 1 }
            guard index > nameStart else {
                throw failure("expected a parameter name, found \"\(String(decoding: bytes[index...].prefix(16), as: UTF8.self))\"")
            }
            let name = asciiLowercased(bytes[nameStart..<index])
            // RFC 9110 allows no whitespace around "=": a lenient reading here would let two
            // parsers disagree on where a value starts.
            guard index < count && bytes[index] == UInt8(ascii: "=") else {
                throw failure("parameter \"\(name)\" has no \"=value\"")
            }
            index += 1

            var raw: [UInt8] = []
            if index < count && bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        index += 1
                        closed = true
                        break
                    }
                    // A backslash escapes only a tspecial, as Go's mime package does: browsers do
                    // not escape backslashes (the HTML form-encoding algorithm percent-encodes `"`
                    // instead), so "C:\photos\a.jpg" from an old client keeps its backslashes,
                    // while an RFC-conforming `\"` or `\\` is still unescaped.
                    if byte == UInt8(ascii: "\\") && index + 1 < count && isTSpecial(bytes[index + 1]) {
                        raw.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    raw.append(byte)
                    index += 1
                }
                guard closed else { throw failure("the quoted value of parameter \"\(name)\" has no closing quote") }
            } else {
                // Token form. Read up to the next delimiter rather than stopping at the first
                // non-tchar, so that a value such as `boundary=a:b` is judged whole (and refused
                // or accepted by the caller) instead of being silently cut.
                let valueStart = index
                while index < count && !isWhitespace(bytes[index]) && bytes[index] != UInt8(ascii: ";") && bytes[index] != UInt8(ascii: "\"") {
                    index += 1
                }
                guard index > valueStart else { throw failure("parameter \"\(name)\" has an empty value") }
                raw.append(contentsOf: bytes[valueStart..<index])
            }
            parameters.append((name: name, value: String(decoding: raw, as: UTF8.self)))

            skipWhitespace(bytes, &index)
            guard index == count || bytes[index] == UInt8(ascii: ";") else {
                throw failure("unexpected \"\(String(decoding: bytes[index...].prefix(16), as: UTF8.self))\" after the value of parameter \"\(name)\"")
            }
        }
        return (leading, parameters)
    }

    /// The single value of parameter `name`; a repeated parameter is refused because parsers that
    /// pick the first and parsers that pick the last would read the same part differently.
    static func single(
        _ name: String,
        in parameters: [Parameter],
        failure: (String) -> MultipartError
    ) throws(MultipartError) -> String? {
        var found: String?
        for parameter in parameters where parameter.name == name {
            guard found == nil else { throw failure("parameter \"\(name)\" occurs more than once") }
            found = parameter.value
        }
        return found
    }

    /// Case-insensitive ASCII comparison (header names, media types, parameter names).
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        let a = a.utf8, b = b.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where lowercase(x) != lowercase(y) { return false }
        return true
    }

    static func asciiLowercased(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map(lowercase), as: UTF8.self)
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// RFC 2045 tspecials: the characters a quoted-pair may meaningfully escape.
    private static func isTSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"),
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "\\"), UInt8(ascii: "\""),
            UInt8(ascii: "/"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "?"), UInt8(ascii: "="):
            true
        default:
            false
        }
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    private static func skipWhitespace(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count && isWhitespace(bytes[index]) { index += 1 }
    }
}
