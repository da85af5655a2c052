import Synchronization

/// Request IDs: accepted from the client when they are safe to log and echo, generated otherwise.
public enum RequestID {
    public static let maxLength = 128

    /// Whether a client-supplied ID can be trusted into logs and response headers: 1–128 characters
    /// from a conservative set, so no log or header injection is possible.
    public static func isAcceptable(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= maxLength else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "="):
                true
            default: false
            }
        }
    }

    /// A process-wide random prefix and a counter: unique across processes and requests without
    /// a `getrandom` system call per request. IDs name requests; they are not secrets.
    private static let prefix: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let counter = Atomic<UInt64>(0)

    /// 32 lowercase hex digits.
    public static func generate() -> String {
        let sequence = counter.wrappingAdd(1, ordering: .relaxed).newValue
        // Mixing the counter keeps consecutive IDs visually distinct in logs.
        return hex(prefix) + hex(sequence &* 0x9E37_79B9_7F4A_7C15)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
