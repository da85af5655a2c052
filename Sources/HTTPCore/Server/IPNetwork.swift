#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address or CIDR block (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`), used to say which peers
/// are trusted reverse proxies.
///
/// Every address is held as 16 bytes, IPv4 as IPv4-mapped IPv6 (`::ffff:a.b.c.d`), so that an
/// IPv4 client reaching a dual-stack (`::`) listener matches an IPv4 rule, and one comparison
/// routine serves both families.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network address, already masked to `prefixLength` bits.
    public let bytes: [UInt8]
    /// Leading bits that must match, 0…128 (IPv4 rules count the 96 mapped-prefix bits too).
    public let prefixLength: Int

    /// Parses `address` or `address/prefix`; an IPv4 prefix counts IPv4 bits (0…32). Nil when
    /// either part is malformed; host bits beyond the prefix are dropped, as routers do.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let parsed = Self.parseAddress(parts[0]) else { return nil }
        let maxBits = parsed.isIPv4 ? 32 : 128
        var prefix = maxBits
        if parts.count == 2 {
            guard let bits = Int(parts[1]), (0...maxBits).contains(bits), parts[1].allSatisfy(\.isASCII) else { return nil }
            prefix = bits
        }
        let total = parsed.isIPv4 ? prefix + 96 : prefix
        self.bytes = Self.mask(parsed.bytes, to: total)
        self.prefixLength = total
    }

    /// True when `address` (a numeric IPv4 or IPv6 literal) lies in this block.
    public func contains(_ address: some StringProtocol) -> Bool {
        guard let parsed = Self.parseAddress(address) else { return false }
        return contains(bytes: parsed.bytes)
    }

    func contains(bytes other: [UInt8]) -> Bool {
        Self.mask(other, to: prefixLength) == bytes
    }

    public var description: String {
        let isIPv4 = Self.isMapped(bytes) && prefixLength >= 96
        let address = Self.format(bytes)
        if prefixLength == 128 { return address }
        return "\(address)/\(isIPv4 ? prefixLength - 96 : prefixLength)"
    }

    // MARK: - Address literals

    /// A numeric address as 16 bytes, IPv4 mapped into IPv6; `isIPv4` when written as dotted IPv4.
    /// Accepts no zone ids, names or ports.
    static func parseAddress(_ text: some StringProtocol) -> (bytes: [UInt8], isIPv4: Bool)? {
        let string = String(text)
        guard !string.isEmpty, string.utf8.count <= Int(INET6_ADDRSTRLEN) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            let four = withUnsafeBytes(of: &v4) { Array($0) }
            return ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + four, true)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, string, &v6) == 1 {
            // Written as IPv6 (even `::ffff:a.b.c.d`): its prefix counts IPv6 bits.
            return (withUnsafeBytes(of: &v6) { Array($0) }, false)
        }
        return nil
    }

    /// The canonical text of 16 address bytes: dotted IPv4 for mapped addresses, RFC 5952 IPv6 otherwise.
    static func format(_ bytes: [UInt8]) -> String {
        if isMapped(bytes) { return bytes[12..<16].map(String.init).joined(separator: ".") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func isMapped(_ bytes: [UInt8]) -> Bool {
        bytes.count == 16 && bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
    }

    private static func mask(_ bytes: [UInt8], to bits: Int) -> [UInt8] {
        var out = bytes
        for index in 0..<out.count {
            let keep = min(8, max(0, bits - index * 8))
            out[index] &= keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
        return out
    }
}
