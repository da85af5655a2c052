/// Works out which address a request really came from when the service sits behind reverse proxies.
///
/// `X-Forwarded-For` and `Forwarded` are ordinary request headers: any client can send them, so
/// they are believed only when the socket peer is a configured proxy. Each proxy appends the
/// address it saw on the right, so the chain is walked from the right, skipping trusted proxies;
/// the first hop that is not one is the client. Everything left of it was written by the client
/// (or by proxies we know nothing about) and is never used.
///
/// `X-Forwarded-For` is read when present (nginx, Envoy and most load balancers write it), else
/// RFC 7239 `Forwarded: for=`. A proxy that writes only `Forwarded` must therefore remove any
/// `X-Forwarded-For` its clients send, or they could choose their own address.
public struct ForwardedClient: Sendable {
    public let trustedProxies: [IPNetwork]

    public init(trustedProxies: [IPNetwork]) {
        self.trustedProxies = trustedProxies
    }

    /// True when `address` (a numeric literal) is one of the trusted proxies.
    public func isTrusted(_ address: some StringProtocol) -> Bool {
        guard !trustedProxies.isEmpty, let parsed = IPNetwork.parseAddress(address) else { return false }
        return trustedProxies.contains { $0.contains(bytes: parsed.bytes) }
    }

    /// The client's address for a request from `peer` (the socket peer's numeric host) with
    /// `headers`, in canonical form (IPv4 dotted, IPv6 per RFC 5952, no port).
    ///
    /// An untrusted peer is the answer whatever the headers say. Behind trusted proxies the
    /// answer is the rightmost untrusted hop; when that hop is not an address (`unknown`, an
    /// obfuscated `_id`, garbage) the walk stops at the last proxy that vouched for it, since
    /// nothing further left can be verified and free text must not reach the access log.
    /// When every hop is trusted (a proxy's own health check) the leftmost one is the answer.
    public func clientAddress(peer: String, headers: HTTPHeaders) -> String {
        guard isTrusted(peer) else { return peer }
        let hops = Self.hops(in: headers)
        var client = Self.canonical(peer) ?? peer
        for hop in hops.reversed() {
            guard let address = Self.canonical(hop) else { return client }
            client = address
            if !isTrusted(address) { return address }
        }
        return client
    }

    // MARK: - Header parsing

    /// The hop list, leftmost (furthest) first: every `X-Forwarded-For` line, or failing that
    /// the `for=` parameter of every `Forwarded` element (an element without `for=` counts as
    /// an unknown hop, so it stops the walk rather than being skipped over).
    static func hops(in headers: HTTPHeaders) -> [Substring] {
        let xff = headers.values(for: "X-Forwarded-For")
        if !xff.isEmpty {
            return xff.flatMap { line in
                line.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
            }
        }
        return headers.values(for: "Forwarded").flatMap { line in
            splitOutsideQuotes(Substring(line), on: ",").map { element in
                forParameter(of: element) ?? "unknown"
            }
        }
    }

    /// The `for=` value of one `Forwarded` element (`for=1.2.3.4;proto=https`), unquoted.
    private static func forParameter(of element: Substring) -> Substring? {
        for pair in splitOutsideQuotes(element, on: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, trimmed(parts[0]).lowercased() == "for" else { continue }
            var value = trimmed(parts[1])
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = value.dropFirst().dropLast()
            }
            return value
        }
        return nil
    }

    /// Splits on `separator` except inside quoted strings (a quoted IPv6 `for=` holds colons,
    /// and RFC 7230 lets quoted strings hold commas and semicolons).
    private static func splitOutsideQuotes(_ text: Substring, on separator: Character) -> [Substring] {
        var pieces: [Substring] = []
        var start = text.startIndex
        var quoted = false
        var escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if escaped {
                escaped = false
            } else if quoted && character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if !quoted && character == separator {
                pieces.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        pieces.append(text[start...])
        return pieces
    }

    /// A hop as a canonical address, or nil when it is not one. Accepts what proxies write:
    /// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:443`.
    static func canonical(_ hop: some StringProtocol) -> String? {
        var text = Substring(hop)
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.first == ":" && isPort(rest.dropFirst())) else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
        } else if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon {
            // Exactly one colon: IPv4 with a port (IPv6 always has at least two).
            guard isPort(text[text.index(after: colon)...]) else { return nil }
            text = text[..<colon]
        }
        guard let parsed = IPNetwork.parseAddress(text) else { return nil }
        return IPNetwork.format(parsed.bytes)
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else {
            return text[text.endIndex...]
        }
        return text[first...last]
    }
}
