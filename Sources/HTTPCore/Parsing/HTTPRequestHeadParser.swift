/// Parses a complete request head (as delimited by `HeadScanner`) under the strict RFC 9112
/// grammar, and decides the body's framing with the request-smuggling defences of RFC 9112 §6.
///
/// Every rejection is an `HTTPError` whose detail names the exact fault, because a client author
/// debugging a 400 deserves better than "Bad Request".
enum HTTPRequestHeadParser {
    static func parse(_ head: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPError) -> HTTPRequestHead {
        var lines = LineIterator(head)
        guard let requestLine = try lines.next() else {
            throw HTTPError(.badRequest, detail: "empty request head")
        }
        let (method, parsedTarget, parsedVersion) = try parseRequestLine(requestLine, limits: limits)

        var headers = HTTPHeaders()
        var lineNumber = 1
        while let line = try lines.next() {
            lineNumber += 1
            if line.isEmpty { break }
            guard headers.count < limits.maxHeaderCount else {
                throw HTTPError(.requestHeaderFieldsTooLarge, detail: "more than \(limits.maxHeaderCount) header fields")
            }
            let (name, value) = try parseField(line, lineNumber: lineNumber)
            headers.add(name, value)
        }

        // Semantics that depend on the whole head.
        let target = parsedTarget
        try validateTarget(target, method: method)
        try validateHost(headers, version: parsedVersion)
        var version = parsedVersion
        let framing = try framing(of: headers, version: version, limits: limits)
        let expectsContinue = try expectation(in: headers, version: version, framing: framing)
        let keepAlive = version.isAtLeast1_1
            ? !headers.containsToken("close", in: "Connection")
            : headers.containsToken("keep-alive", in: "Connection") && !headers.containsToken("close", in: "Connection")
        // A later 1.x minor version is answered as 1.1 (RFC 9110 §2.5).
        version = HTTPVersion(major: 1, minor: min(version.minor, 1))
        return HTTPRequestHead(
            method: method, target: target, version: version, headers: headers,
            framing: framing, keepAlive: keepAlive, expectsContinue: expectsContinue
        )
    }

    // MARK: - Request line

    static func parseRequestLine(_ line: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPError) -> (HTTPMethod, String, HTTPVersion) {
        guard let firstSpace = line.firstIndex(of: 0x20) else {
            throw HTTPError(.badRequest, detail: "the request line is not 'method SP request-target SP HTTP-version'")
        }
        let methodBytes = line[..<firstSpace]
        guard !methodBytes.isEmpty else {
            throw HTTPError(.badRequest, detail: "the request line starts with a space")
        }
        guard methodBytes.allSatisfy({ CharacterClass.token[Int($0)] }) else {
            throw HTTPError(.badRequest, detail: "the method contains a character that is not allowed in a token")
        }
        let afterMethod = line[(firstSpace + 1)...]
        guard let secondSpace = afterMethod.firstIndex(of: 0x20) else {
            throw HTTPError(.badRequest, detail: "the request line has no HTTP-version")
        }
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        guard !targetBytes.isEmpty else {
            throw HTTPError(.badRequest, detail: "empty request-target (or more than one space after the method)")
        }
        if let bad = targetBytes.first(where: { !CharacterClass.requestTarget[Int($0)] }) {
            throw HTTPError(.badRequest, detail: "the request-target contains the byte 0x\(hex(bad)), which is not allowed in a URI")
        }
        let versionBytes = line[(secondSpace + 1)...]
        let version = try parseVersion(UnsafeRawBufferPointer(rebasing: versionBytes))
        return (
            HTTPMethod(rawValue: String(decoding: methodBytes, as: UTF8.self)),
            String(decoding: targetBytes, as: UTF8.self),
            version
        )
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT, exactly (case-sensitive, RFC 9112 §2.3).
    static func parseVersion(_ bytes: UnsafeRawBufferPointer) throws(HTTPError) -> HTTPVersion {
        let prefix = Array("HTTP/".utf8)
        guard bytes.count == 8, bytes.prefix(5).elementsEqual(prefix), bytes[6] == UInt8(ascii: "."),
              isDigit(bytes[5]), isDigit(bytes[7])
        else {
            throw HTTPError(.badRequest, detail: "malformed HTTP-version (expected HTTP/1.1 or HTTP/1.0)")
        }
        let version = HTTPVersion(major: Int(bytes[5] - 0x30), minor: Int(bytes[7] - 0x30))
        guard version.major == 1 else {
            throw HTTPError(.httpVersionNotSupported, detail: "\(version) is not supported over this connection; use HTTP/1.1")
        }
        return version
    }

    // MARK: - Fields

    static func parseField(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(HTTPError) -> (String, String) {
        guard let first = line.first else { throw HTTPError(.badRequest, detail: "empty header line") }
        if first == 0x20 || first == 0x09 {
            throw HTTPError(.badRequest, detail: "obsolete line folding (a header line starting with whitespace) at line \(lineNumber)")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw HTTPError(.badRequest, detail: "header line \(lineNumber) has no colon")
        }
        let name = line[..<colon]
        guard !name.isEmpty else { throw HTTPError(.badRequest, detail: "empty header field name at line \(lineNumber)") }
        if let last = name.last, last == 0x20 || last == 0x09 {
            throw HTTPError(.badRequest, detail: "whitespace between header field name and colon at line \(lineNumber)")
        }
        if let bad = name.first(where: { !CharacterClass.token[Int($0)] }) {
            throw HTTPError(.badRequest, detail: "header field name at line \(lineNumber) contains the byte 0x\(hex(bad))")
        }
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        let value = line[valueStart..<valueEnd]
        if let bad = value.first(where: { !CharacterClass.fieldValue[Int($0)] }) {
            throw HTTPError(.badRequest, detail: "header field value at line \(lineNumber) contains the control byte 0x\(hex(bad))")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    // MARK: - Semantics

    static func validateTarget(_ target: String, method: HTTPMethod) throws(HTTPError) {
        if target.hasPrefix("/") { return }
        if target == "*" {
            guard method == .options else {
                throw HTTPError(.badRequest, detail: "the asterisk-form target '*' is only valid for OPTIONS")
            }
            return
        }
        if method == .connect {
            guard RequestTarget.isAuthorityForm(target) else {
                throw HTTPError(.badRequest, detail: "CONNECT needs an authority-form target (host:port)")
            }
            return
        }
        guard RequestTarget.isAbsoluteForm(target) else {
            throw HTTPError(.badRequest, detail: "the request-target must be a path starting with '/', an absolute http(s) URI, or '*'")
        }
    }

    static func validateHost(_ headers: HTTPHeaders, version: HTTPVersion) throws(HTTPError) {
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 { throw HTTPError(.badRequest, detail: "more than one Host header field") }
        if hosts.isEmpty {
            // RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request that lacks Host.
            if version.isAtLeast1_1 { throw HTTPError(.badRequest, detail: "HTTP/1.1 request without a Host header field") }
            return
        }
        if let bad = hosts[0].utf8.first(where: { !CharacterClass.host[Int($0)] }) {
            throw HTTPError(.badRequest, detail: "the Host header contains the byte 0x\(hex(bad))")
        }
    }

    /// Decides the body framing (RFC 9112 §6.3), refusing every ambiguous combination.
    static func framing(of headers: HTTPHeaders, version: HTTPVersion, limits: HTTPLimits) throws(HTTPError) -> BodyFraming {
        let transferEncodings = headers.values(for: "Transfer-Encoding")
        let contentLengths = headers.values(for: "Content-Length")
        if !transferEncodings.isEmpty {
            if !contentLengths.isEmpty {
                throw HTTPError(.badRequest, detail: "both Content-Length and Transfer-Encoding are present (ambiguous framing)")
            }
            guard version.isAtLeast1_1 else {
                throw HTTPError(.badRequest, detail: "Transfer-Encoding in an HTTP/1.0 request (faulty framing)")
            }
            var codings: [Substring] = []
            for value in transferEncodings {
                for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let coding = trimmingWhitespace(element)
                    if coding.isEmpty { continue }
                    guard coding.utf8.allSatisfy({ CharacterClass.token[Int($0)] }) else {
                        throw HTTPError(.badRequest, detail: "malformed Transfer-Encoding '\(String(element))'")
                    }
                    codings.append(coding)
                }
            }
            guard let last = codings.last, HTTPHeaders.equalsIgnoringCase(last, "chunked") else {
                throw HTTPError(.badRequest, detail: "chunked must be the final Transfer-Encoding; the body length cannot be determined")
            }
            if codings.dropLast().contains(where: { HTTPHeaders.equalsIgnoringCase($0, "chunked") }) {
                throw HTTPError(.badRequest, detail: "chunked is applied more than once in Transfer-Encoding")
            }
            if let unsupported = codings.dropLast().first {
                throw HTTPError(.notImplemented, detail: "the transfer coding '\(unsupported)' is not supported (only chunked is)")
            }
            return .chunked
        }
        guard let declared = contentLengths.first else { return .none }
        guard contentLengths.count == 1 else {
            throw HTTPError(.badRequest, detail: "more than one Content-Length header field")
        }
        guard !declared.isEmpty, declared.utf8.allSatisfy(isDigit) else {
            throw HTTPError(.badRequest, detail: "Content-Length '\(declared)' is not a decimal number")
        }
        // The limit is the parser's to enforce, whatever the digits look like (leading zeros included):
        // a parsed head never declares more than `maxBodyBytes`.
        guard declared.utf8.count <= 18, let length = Int(declared), length <= limits.maxBodyBytes else {
            throw HTTPError(.contentTooLarge, detail: "Content-Length \(declared) exceeds the limit of \(limits.maxBodyBytes) bytes")
        }
        return length == 0 ? .none : .length(length)
    }

    static func expectation(in headers: HTTPHeaders, version: HTTPVersion, framing: BodyFraming) throws(HTTPError) -> Bool {
        let expectations = headers.values(for: "Expect")
        guard !expectations.isEmpty else { return false }
        for value in expectations where !HTTPHeaders.equalsIgnoringCase(trimmingWhitespace(value), "100-continue") {
            throw HTTPError(.expectationFailed, detail: "the expectation '\(value)' is not supported (only 100-continue is)")
        }
        // An HTTP/1.0 client cannot understand 100 Continue (RFC 9110 §10.1.1), so it gets none.
        return version.isAtLeast1_1 && framing != .none
    }

    // MARK: - Helpers

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

/// Iterates the CRLF-terminated lines of a head, rejecting a CR that is not part of a CRLF
/// and NUL anywhere (HeadScanner already guarantees every LF follows a CR).
struct LineIterator {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func next() throws(HTTPError) -> UnsafeRawBufferPointer? {
        guard position < bytes.count else { return nil }
        var index = position
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else {
                    throw HTTPError(.badRequest, detail: "bare CR in the request head")
                }
                let line = UnsafeRawBufferPointer(rebasing: bytes[position..<index])
                position = index + 2
                return line
            }
            if byte == 0 { throw HTTPError(.badRequest, detail: "NUL byte in the request head") }
            if byte == 0x0A { throw HTTPError(.badRequest, detail: "bare LF in the request head") }
            index += 1
        }
        throw HTTPError(.badRequest, detail: "the request head does not end with CRLF")
    }
}
