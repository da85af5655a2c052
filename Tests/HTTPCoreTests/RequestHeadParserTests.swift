import Testing
@testable import HTTPCore

/// Runs raw bytes through the same two steps the connection uses: find the head, parse it.
private func parse(_ raw: String, limits: HTTPLimits = HTTPLimits()) -> Result<HTTPRequestHead, HTTPError> {
    let bytes = Array(raw.utf8)
    return bytes.withUnsafeBytes { buffer in
        Result { () throws(HTTPError) in
            var scanner = HeadScanner()
            guard let range = try scanner.scan(buffer, limits: limits) else {
                throw HTTPError(.init(code: 0, reasonPhrase: "incomplete"), detail: "incomplete head")
            }
            return try HTTPRequestHeadParser.parse(UnsafeRawBufferPointer(rebasing: buffer[range]), limits: limits)
        }
    }
}

struct MalformedRequest: CustomTestStringConvertible, Sendable {
    let name: String
    let raw: String
    let status: Int
    var testDescription: String { "\(name) → \(status)" }
}

struct RequestHeadParserTests {
    static let malformed: [MalformedRequest] = [
        .init(name: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", status: 400),
        .init(name: "bare CR in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", status: 400),
        .init(name: "bare LF line ending", raw: "GET / HTTP/1.1\nHost: a\r\n\r\n", status: 400),
        .init(name: "NUL in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", status: 400),
        .init(name: "NUL in target", raw: "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "space in header name", raw: "GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n", status: 400),
        .init(name: "space before colon", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n", status: 400),
        .init(name: "no colon", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A b\r\n\r\n", status: 400),
        .init(name: "invalid token in name", raw: "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", status: 400),
        .init(name: "empty header name", raw: "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", status: 400),
        .init(name: "invalid method token", raw: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "double space after method", raw: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "missing version", raw: "GET /\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "lowercase version", raw: "GET / http/1.1\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "version with extra digits", raw: "GET / HTTP/1.10\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "HTTP/2.0", raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505),
        .init(name: "HTTP/0.9", raw: "GET / HTTP/0.9\r\nHost: a\r\n\r\n", status: 505),
        .init(name: "trailing space after version", raw: "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", status: 400),
        .init(name: "missing Host in 1.1", raw: "GET / HTTP/1.1\r\nX: y\r\n\r\n", status: 400),
        .init(name: "two Host headers", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        .init(name: "bad Host characters", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400),
        .init(name: "invalid target character", raw: "GET /a<b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "fragment in target", raw: "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "relative target", raw: "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "asterisk with GET", raw: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "non-http absolute form", raw: "GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        .init(name: "duplicate Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", status: 400),
        .init(name: "conflicting Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", status: 400),
        .init(name: "Content-Length list", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", status: 400),
        .init(name: "negative Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", status: 400),
        .init(name: "plus-signed Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", status: 400),
        .init(name: "hex Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", status: 400),
        .init(name: "huge Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", status: 413),
        // Over the 64 MiB default limit; found by FuzzRequestHead with the leading zero.
        .init(name: "Content-Length over the limit", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 67108865\r\n\r\n", status: 413),
        .init(name: "zero-padded Content-Length over the limit", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 01111111111111\r\n\r\n", status: 413),
        .init(name: "CL with TE", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400),
        .init(name: "TE with CL (reversed)", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", status: 400),
        .init(name: "unknown transfer coding", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501),
        .init(name: "chunked not final", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", status: 400),
        .init(name: "only gzip", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", status: 400),
        .init(name: "chunked twice", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400),
        .init(name: "obfuscated TE (xchunked)", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", status: 400),
        .init(name: "obfuscated TE (vertical tab)", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\u{0B}\r\n\r\n", status: 400),
        .init(name: "obfuscated TE (quoted)", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", status: 400),
        .init(name: "TE in HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400),
        .init(name: "unsupported expectation", raw: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\n", status: 417),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedRequest(_ request: MalformedRequest) {
        switch parse(request.raw) {
        case .success:
            Issue.record("\(request.name) was accepted")
        case .failure(let error):
            #expect(error.status.code == request.status, "\(request.name): \(error.detail)")
            #expect(!error.detail.isEmpty)
        }
    }

    @Test func parsesOriginFormRequest() throws {
        let head = try parse("GET /v1/styles?x=1&y=%20z HTTP/1.1\r\nHost: example.com\r\nAccept:  application/json \r\n\r\n").get()
        #expect(head.method == .get)
        #expect(head.target == "/v1/styles?x=1&y=%20z")
        #expect(head.version == .http1_1)
        #expect(head.headers["accept"] == "application/json")
        #expect(head.framing == .none)
        #expect(head.keepAlive)
        let request = HTTPRequest(method: head.method, target: head.target)
        #expect(request.path == "/v1/styles")
        #expect(request.queryItem("y") == " z")
    }

    @Test func ignoresLeadingEmptyLines() throws {
        let head = try parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").get()
        #expect(head.method == .get)
    }

    @Test func absoluteFormTargetYieldsItsPath() throws {
        let head = try parse("GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: other\r\n\r\n").get()
        let request = HTTPRequest(method: head.method, target: head.target)
        #expect(request.path == "/a/b")
        #expect(request.query == "c=d")
    }

    @Test func asteriskFormForOptions() throws {
        let head = try parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").get()
        #expect(HTTPRequest(method: head.method, target: head.target).path == "*")
    }

    @Test func framingAndPersistence() throws {
        #expect(try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n").get().framing == .length(42))
        #expect(try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 67108864\r\n\r\n").get().framing == .length(64 << 20))
        #expect(try parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  Chunked \r\n\r\n").get().framing == .chunked)
        #expect(try parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n").get().keepAlive == false)
        #expect(try parse("GET / HTTP/1.0\r\n\r\n").get().keepAlive == false)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").get().keepAlive == true)
        #expect(try parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n").get().expectsContinue)
        #expect(try parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n").get().expectsContinue == false)
        // A later 1.x minor version is answered as HTTP/1.1.
        #expect(try parse("GET / HTTP/1.2\r\nHost: a\r\n\r\n").get().version == .http1_1)
    }

    @Test func limitsHaveTheirOwnStatuses() {
        var limits = HTTPLimits()
        limits.maxRequestLineBytes = 64
        limits.maxHeaderBytes = 256
        limits.maxHeaderCount = 5
        let longTarget = "GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(parse(longTarget, limits: limits).failureStatus == 414)
        let bigHeader = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 300) + "\r\n\r\n"
        #expect(parse(bigHeader, limits: limits).failureStatus == 431)
        let manyHeaders = "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<6).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        #expect(parse(manyHeaders, limits: limits).failureStatus == 431)
    }

    @Test func limitsApplyBeforeTheHeadIsComplete() {
        var limits = HTTPLimits()
        limits.maxRequestLineBytes = 64
        limits.maxHeaderBytes = 256
        // No CRLF yet: an endless request line or header must be refused without waiting.
        let endlessLine = Array(("GET /" + String(repeating: "a", count: 100)).utf8)
        let endlessHeader = Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 300)).utf8)
        for (bytes, status) in [(endlessLine, 414), (endlessHeader, 431)] {
            var scanner = HeadScanner()
            let result = bytes.withUnsafeBytes { buffer in
                Result { () throws(HTTPError) in try scanner.scan(buffer, limits: limits) }
            }
            #expect((try? result.get()) == nil)
            if case .failure(let error) = result { #expect(error.status.code == status) }
        }
    }

    @Test func headSplitAtEveryByteIsFoundOnce() throws {
        let raw = Array("GET /x HTTP/1.1\r\nHost: a\r\nX-Long: \(String(repeating: "v", count: 40))\r\n\r\nNEXT".utf8)
        for split in 1..<raw.count {
            var scanner = HeadScanner()
            let first = try raw[..<split].withUnsafeBytes { buffer throws(HTTPError) in
                try scanner.scan(buffer, limits: HTTPLimits())
            }
            let range = try first ?? raw.withUnsafeBytes { buffer throws(HTTPError) in
                try scanner.scan(buffer, limits: HTTPLimits())
            }
            #expect(range == 0..<(raw.count - 4), "split at \(split)")
        }
    }
}

extension Result where Failure == HTTPError {
    var failureStatus: Int? {
        if case .failure(let error) = self { return error.status.code }
        return nil
    }
}
