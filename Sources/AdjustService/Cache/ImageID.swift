/// The handle a client gets for an analysed photo: 128 random bits as 32 lower-case hex digits.
/// Unguessable on purpose: whoever holds an id can re-render that photo, so ids must not be
/// enumerable from another client's.
public struct ImageID: Sendable, Hashable, CustomStringConvertible {
    public let description: String

    /// A fresh id from the system's cryptographic generator.
    public static func random() -> ImageID {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<2).map { _ in
            let value = generator.next() as UInt64
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
        return ImageID(validated: hex)
    }

    /// Parses a client's id; nil unless it is exactly 32 hex digits (any case).
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 32, text.utf8.allSatisfy({ Self.isHexDigit($0) }) else { return nil }
        description = text.lowercased()
    }

    private init(validated: String) { description = validated }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (97...102).contains(byte) || (65...70).contains(byte)
    }
}
