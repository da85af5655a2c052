import HTTPCore

/// The `--api-keys` file: one key per line, `#` comments and blank lines ignored.
///
///     # name   digest                                                                  [rate=N/min] [burst=N]
///     alice    sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae  rate=120/min burst=20
///
/// The digest is the SHA-256 of the key (`semadjust api-key` makes a key and its line), so the file
/// can be read by operators and tools without giving anyone a usable key.
enum APIKeyFile {
    struct Defaults: Sendable, Equatable {
        var rate: RateLimit
    }

    /// The keys of `text`; names and digests must be unique.
    static func parse(_ text: String, defaults: Defaults) throws(APIKeyFileError) -> [APIKey] {
        var keys: [APIKey] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard !fields.isEmpty else { continue }
            let number = index + 1
            guard fields.count >= 2 else {
                throw APIKeyFileError(line: number, reason: "expected a name and a sha256:<64 hex digits> digest")
            }
            let name = String(fields[0])
            guard name.utf8.count <= 64, name.utf8.allSatisfy(Self.isNameByte) else {
                throw APIKeyFileError(line: number, reason: "the name '\(name.prefix(64))' may use only letters, digits, '-', '_' and '.' (64 at most)")
            }
            guard let digest = Self.digest(fields[1]) else {
                throw APIKeyFileError(line: number, reason: "'\(fields[1].prefix(80))' is not sha256:<64 hex digits> (store the key's digest, never the key)")
            }
            var rate = defaults.rate
            for option in fields.dropFirst(2) {
                if option.hasPrefix("rate="), option.hasSuffix("/min"), let n = Int(option.dropFirst(5).dropLast(4)), n > 0 {
                    rate.perMinute = n
                } else if option.hasPrefix("burst="), let n = Int(option.dropFirst(6)), n > 0 {
                    rate.burst = n
                } else {
                    throw APIKeyFileError(line: number, reason: "unknown option '\(option.prefix(40))' (rate=N/min or burst=N, N > 0)")
                }
            }
            if keys.contains(where: { $0.name == name }) {
                throw APIKeyFileError(line: number, reason: "the name '\(name)' is used twice")
            }
            if keys.contains(where: { $0.digest == digest }) {
                throw APIKeyFileError(line: number, reason: "the same key is listed twice")
            }
            keys.append(APIKey(name: name, digest: digest, rate: rate))
        }
        return keys
    }

    /// The line that lists `name` with the key `secret`.
    static func line(name: String, secret: String) -> String {
        "\(name) sha256:\(APIKey.digest(of: secret).map { String($0, radix: 16).leftPadded(to: 2) }.joined())"
    }

    private static func digest(_ field: Substring) -> [UInt8]? {
        guard field.hasPrefix("sha256:") else { return nil }
        let hex = Array(field.dropFirst(7).utf8)
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = HexDigit.value(of: hex[i]), let low = HexDigit.value(of: hex[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }
}

/// Why the key file cannot be used, with its line.
struct APIKeyFileError: Error, Equatable, CustomStringConvertible {
    let line: Int
    let reason: String

    var description: String { "line \(line): \(reason)" }
}

extension String {
    /// The string with leading zeros up to `width` characters (hex bytes).
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
