/// The four forms of request-target (RFC 9112 §3.2) and their split into path and query.
enum RequestTarget {
    /// Splits an origin-form or absolute-form target into its raw path and query.
    /// An absolute-form target (`http://host/p?q`) yields the path of its URI; an asterisk-form
    /// target yields `*`.
    static func split(_ target: String) -> (path: String, query: String?) {
        var rest = Substring(target)
        if !rest.hasPrefix("/"), let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            rest = rest[rest.index(colon, offsetBy: 3)...]
            if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                rest = rest[slash...]
            } else {
                rest = ""
            }
        }
        var path: Substring
        var query: String?
        if let mark = rest.firstIndex(of: "?") {
            path = rest[..<mark]
            query = String(rest[rest.index(after: mark)...])
        } else {
            path = rest
        }
        if path.isEmpty { path = "/" }
        return (String(path), query)
    }

    /// Whether `target` is a syntactically valid absolute-form target with an http(s) scheme.
    static func isAbsoluteForm(_ target: String) -> Bool {
        let lower = target.lowercased()
        for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
            let authority = lower.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" }
            return !authority.isEmpty && !authority.contains("@")
        }
        return false
    }

    /// Authority-form (`host:port`), used only by CONNECT.
    static func isAuthorityForm(_ target: String) -> Bool {
        guard let colon = target.lastIndex(of: ":") else { return false }
        let port = target[target.index(after: colon)...]
        return colon != target.startIndex && !port.isEmpty && port.allSatisfy(\.isASCII) && port.allSatisfy(\.isNumber)
            && !target.contains("/")
    }
}
