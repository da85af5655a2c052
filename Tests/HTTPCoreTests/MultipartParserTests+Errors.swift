import HTTPCore
import Testing

extension MultipartParserTests {
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var label: String
        var boundary: String
        var body: [UInt8]
        var limits: MultipartLimits
        var error: MultipartError
        var testDescription: String { label }

        init(_ label: String, boundary: String = "b", _ body: String, limits: MultipartLimits = MultipartLimits(), _ error: MultipartError) {
            self.label = label
            self.boundary = boundary
            self.body = Array(body.utf8)
            self.limits = limits
            self.error = error
        }
    }

    static let field = "Content-Disposition: form-data; name=\"a\"\r\n"

    static let errorCases: [ErrorCase] = [
        // Framing
        ErrorCase("missing close delimiter after data", "--b\r\n\(field)\r\nvalue", .truncated),
        ErrorCase("missing close delimiter after a delimiter line", "--b\r\n\(field)\r\nvalue\r\n--b\r\n", .truncated),
        ErrorCase("close delimiter cut short", "--b\r\n\(field)\r\nvalue\r\n--b-", .truncated),
        ErrorCase("ends inside a head", "--b\r\n\(field)", .truncated),
        ErrorCase("empty body", "", .boundaryNotFound(boundary: "b")),
        ErrorCase("body with another boundary", "--other\r\n\(field)\r\nv\r\n--other--", .boundaryNotFound(boundary: "b")),
        ErrorCase("delimiter must follow CRLF, not LF", "--b\r\n\(field)\r\nv\n--b--", .truncated),
        ErrorCase("boundary followed by other characters", "--bX\r\n", .malformedDelimiter(part: 1, byte: UInt8(ascii: "X"))),
        ErrorCase("boundary inside a part body", "--b\r\n\(field)\r\nv\r\n--bb\r\n", .malformedDelimiter(part: 2, byte: UInt8(ascii: "b"))),
        ErrorCase("close delimiter with one dash", "--b\r\n\(field)\r\nv\r\n--b-x", .malformedDelimiter(part: 2, byte: UInt8(ascii: "x"))),
        ErrorCase("bare LF after a delimiter", "--b\n\(field)\r\nv\r\n--b--", .malformedDelimiter(part: 1, byte: 0x0A)),
        ErrorCase("CR without LF after a delimiter", "--b\rX", .malformedDelimiter(part: 1, byte: UInt8(ascii: "X"))),
        ErrorCase("text after transport padding", "--b  x\r\n", .malformedDelimiter(part: 1, byte: UInt8(ascii: "x"))),
        // Head lines
        ErrorCase("header line without colon", "--b\r\n\(field)Content-Type text/plain\r\n\r\nv\r\n--b--", .missingColon(part: 1, line: 2)),
        ErrorCase("header line ends with bare LF", "--b\r\nContent-Disposition: form-data; name=a\n\r\nv\r\n--b--", .bareLineFeed(part: 1, line: 1)),
        ErrorCase("blank line is a bare LF", "--b\r\n\(field)\nv\r\n--b--", .bareLineFeed(part: 1, line: 2)),
        ErrorCase("bare CR in a header line", "--b\r\n\(field)X-A: 1\r2\r\n\r\nv\r\n--b--", .bareCarriageReturn(part: 1, line: 2)),
        ErrorCase("obsolete line folding", "--b\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n--b--", .obsoleteLineFolding(part: 1, line: 2)),
        ErrorCase("NUL in a header value", "--b\r\n\(field)X-A: 1\u{0}2\r\n\r\nv\r\n--b--", .invalidHeaderCharacter(part: 1, line: 2, byte: 0)),
        ErrorCase("DEL in a header value", "--b\r\n\(field)X-A: \u{7F}\r\n\r\nv\r\n--b--", .invalidHeaderCharacter(part: 1, line: 2, byte: 0x7F)),
        ErrorCase("space before the colon", "--b\r\nContent-Disposition : form-data; name=a\r\n\r\nv\r\n--b--", .invalidHeaderName(part: 1, line: 1)),
        ErrorCase("empty header name", "--b\r\n: x\r\n\r\nv\r\n--b--", .invalidHeaderName(part: 1, line: 1)),
        // Content-Disposition
        ErrorCase("missing name", "--b\r\nContent-Disposition: form-data; filename=\"a.jpg\"\r\n\r\nv\r\n--b--", .missingName(part: 1)),
        ErrorCase("missing name in the second part", "--b\r\n\(field)\r\nv\r\n--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--", .missingName(part: 2)),
        ErrorCase("missing Content-Disposition", "--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--", .missingContentDisposition(part: 1)),
        ErrorCase("part with no headers", "--b\r\n\r\nv\r\n--b--", .missingContentDisposition(part: 1)),
        ErrorCase("attachment disposition", "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--b--", .notFormDataDisposition(part: 1, type: "attachment")),
        ErrorCase("two Content-Disposition headers", "--b\r\n\(field)\(field)\r\nv\r\n--b--", .duplicateHeader(part: 1, name: "Content-Disposition")),
        ErrorCase("two Content-Type headers", "--b\r\n\(field)Content-Type: a/b\r\ncontent-type: c/d\r\n\r\nv\r\n--b--", .duplicateHeader(part: 1, name: "Content-Type")),
        ErrorCase(
            "name given twice", "--b\r\nContent-Disposition: form-data; name=a; NAME=b\r\n\r\nv\r\n--b--",
            .malformedContentDisposition(part: 1, reason: "parameter \"name\" occurs more than once")
        ),
        ErrorCase(
            "unterminated quoted name", "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--",
            .malformedContentDisposition(part: 1, reason: "the quoted value of parameter \"name\" has no closing quote")
        ),
        ErrorCase(
            "filename* that is not UTF-8", "--b\r\nContent-Disposition: form-data; name=a; filename*=UTF-8''%FF.txt\r\n\r\nv\r\n--b--",
            .malformedContentDisposition(part: 1, reason: "filename* is declared UTF-8 but is not valid UTF-8")
        ),
        ErrorCase(
            "filename* with a bad escape", "--b\r\nContent-Disposition: form-data; name=a; filename*=UTF-8''%G1\r\n\r\nv\r\n--b--",
            .malformedContentDisposition(part: 1, reason: "filename* has a malformed percent-escape")
        ),
        // Limits
        ErrorCase(
            "oversized part head", "--b\r\n\(field)X-Long: \(String(repeating: "x", count: 100))\r\n\r\nv\r\n--b--",
            limits: MultipartLimits(maxPartHeaderBytes: 64), .partHeadTooLarge(part: 1, limit: 64)
        ),
        ErrorCase(
            "endless head line", "--b\r\n" + String(repeating: "y", count: 500),
            limits: MultipartLimits(maxPartHeaderBytes: 100), .partHeadTooLarge(part: 1, limit: 100)
        ),
        ErrorCase(
            "too many parts", "--b\r\n\(field)\r\n1\r\n--b\r\n\(field)\r\n2\r\n--b\r\n\(field)\r\n3\r\n--b--",
            limits: MultipartLimits(maxParts: 2), .tooManyParts(limit: 2)
        ),
        ErrorCase(
            "part too large", "--b\r\n\(field)\r\n1234\r\n--b\r\n\(field)\r\n12345\r\n--b--",
            limits: MultipartLimits(maxPartBytes: 4), .partTooLarge(part: 2, name: "a", limit: 4)
        ),
        ErrorCase(
            "part too large, partly held back", "--b\r\n\(field)\r\n1234\r\n-\r\n--b--",
            limits: MultipartLimits(maxPartBytes: 6), .partTooLarge(part: 1, name: "a", limit: 6)
        ),
        ErrorCase(
            "body too large", "--b\r\n\(field)\r\n\(String(repeating: "z", count: 100))\r\n--b--",
            limits: MultipartLimits(maxTotalBytes: 120), .bodyTooLarge(limit: 120)
        ),
        ErrorCase(
            "an earlier error wins over the total limit", "--b\r\nbad\r\n\r\n\(String(repeating: "z", count: 100))\r\n--b--",
            limits: MultipartLimits(maxTotalBytes: 50), .missingColon(part: 1, line: 1)
        ),
        ErrorCase(
            "epilogue counts towards the total", "--b\r\n\(field)\r\nv\r\n--b--\r\n\(String(repeating: "e", count: 100))",
            limits: MultipartLimits(maxTotalBytes: 100), .bodyTooLarge(limit: 100)
        ),
    ]

    /// Each malformed body fails with its error, however it is split into chunks.
    @Test(arguments: errorCases)
    func rejectsMalformedBody(_ bad: ErrorCase) throws {
        let boundary = try MultipartBoundary(bad.boundary)
        let expected = Outcome.failure(bad.error)
        #expect(Self.parse(bad.body, boundary: boundary, limits: bad.limits) == expected)
        #expect(Self.parse(bad.body, boundary: boundary, limits: bad.limits, cuts: bad.body.isEmpty ? [] : Array(1..<bad.body.count)) == expected)
        for cut in 0...bad.body.count {
            let outcome = Self.parse(bad.body, boundary: boundary, limits: bad.limits, cuts: [cut])
            guard outcome == expected else {
                Issue.record("split at \(cut): \(outcome)")
                return
            }
        }
    }

    /// Limits are inclusive: a body exactly at each limit is accepted.
    @Test func limitsAreInclusive() throws {
        let boundary = try MultipartBoundary("b")
        let head = "\(Self.field)\r\n"
        let body = Self.bytes("--b\r\n\(head)1234\r\n--b\r\n\(head)5678\r\n--b--")
        let exact = MultipartLimits(maxParts: 2, maxPartHeaderBytes: head.utf8.count, maxPartBytes: 4, maxTotalBytes: body.count)
        guard case .parts(let parts) = Self.parse(body, boundary: boundary, limits: exact) else {
            Issue.record("a body exactly at every limit was refused")
            return
        }
        #expect(parts.map(\.text) == ["1234", "5678"])
        var tighter = exact
        tighter.maxPartHeaderBytes -= 1
        #expect(Self.parse(body, boundary: boundary, limits: tighter) == .failure(.partHeadTooLarge(part: 1, limit: tighter.maxPartHeaderBytes)))
        tighter = exact
        tighter.maxTotalBytes! -= 1
        #expect(Self.parse(body, boundary: boundary, limits: tighter) == .failure(.bodyTooLarge(limit: body.count - 1)))
    }

    @Test func collectorEnforcesLimitsWhileStreaming() throws {
        var collector = try MultipartFormCollector(contentType: "multipart/form-data; boundary=b", limits: MultipartLimits(maxPartBytes: 1000))
        try collector.feed(Self.bytes("--b\r\n\(Self.field)\r\n"))
        try collector.feed([UInt8](repeating: 0x61, count: 1000))
        // The refusal comes with the chunk that crosses the limit, before the body ends.
        #expect(throws: MultipartError.partTooLarge(part: 1, name: "a", limit: 1000)) {
            try collector.feed([0x61])
        }
        #expect(throws: MultipartError.partTooLarge(part: 1, name: "a", limit: 1000)) { _ = try collector.finish() }
    }

    @Test func collectorRefusesATruncatedBody() throws {
        var collector = try MultipartFormCollector(contentType: "multipart/form-data; boundary=b")
        try collector.feed(Self.bytes("--b\r\n\(Self.field)\r\nvalue\r\n--b\r\n\(Self.field)\r\npartial"))
        #expect(collector.parts.count == 1)
        #expect(throws: MultipartError.truncated) { _ = try collector.finish() }
    }

    // MARK: Content-Type

    struct ContentTypeCase: Sendable, CustomTestStringConvertible {
        var contentType: String
        var expected: Result<String, MultipartError>
        var testDescription: String { contentType }
        init(_ contentType: String, _ expected: Result<String, MultipartError>) {
            self.contentType = contentType
            self.expected = expected
        }
    }

    static let contentTypeCases: [ContentTypeCase] = [
        ContentTypeCase("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", .success("----WebKitFormBoundary7MA4YWxkTrZu0gW")),
        ContentTypeCase("multipart/form-data;boundary=abc", .success("abc")),
        ContentTypeCase("MULTIPART/FORM-DATA; BoUnDaRy=abc", .success("abc")),
        ContentTypeCase("multipart/form-data; charset=utf-8; boundary=\"a b'()+_,-./:=?\" ; x=y", .success("a b'()+_,-./:=?")),
        ContentTypeCase("multipart/form-data ; boundary=a:b=c", .success("a:b=c")),
        ContentTypeCase("multipart/form-data; boundary=" + String(repeating: "z", count: 70), .success(String(repeating: "z", count: 70))),
        ContentTypeCase("multipart/form-data", .failure(.missingBoundary)),
        ContentTypeCase("multipart/form-data; charset=utf-8", .failure(.missingBoundary)),
        ContentTypeCase("multipart/form-data; boundary=", .failure(.malformedContentType(reason: "parameter \"boundary\" has an empty value"))),
        ContentTypeCase("multipart/form-data; boundary=\"\"", .failure(.invalidBoundary(reason: "the boundary is empty"))),
        ContentTypeCase(
            "multipart/form-data; boundary=" + String(repeating: "z", count: 71),
            .failure(.invalidBoundary(reason: "the boundary is 71 characters long, at most 70 are allowed"))
        ),
        ContentTypeCase("multipart/form-data; boundary=abc!", .failure(.invalidBoundary(reason: "\"!\" is not allowed in a boundary (RFC 2046 bchars)"))),
        ContentTypeCase("multipart/form-data; boundary=\"a\\\\b\"", .failure(.invalidBoundary(reason: "\"\\\" is not allowed in a boundary (RFC 2046 bchars)"))),
        ContentTypeCase("multipart/form-data; boundary=\"ends with space \"", .failure(.invalidBoundary(reason: "the boundary ends with a space"))),
        ContentTypeCase(
            "multipart/form-data; boundary=a; boundary=b",
            .failure(.malformedContentType(reason: "parameter \"boundary\" occurs more than once"))
        ),
        ContentTypeCase(
            "multipart/form-data; boundary=\"abc",
            .failure(.malformedContentType(reason: "the quoted value of parameter \"boundary\" has no closing quote"))
        ),
        ContentTypeCase("multipart/form-data; boundary = abc", .failure(.malformedContentType(reason: "parameter \"boundary\" has no \"=value\""))),
        ContentTypeCase("application/json", .failure(.notMultipartFormData(mediaType: "application/json"))),
        ContentTypeCase("multipart/mixed; boundary=abc", .failure(.notMultipartFormData(mediaType: "multipart/mixed"))),
        ContentTypeCase("", .failure(.malformedContentType(reason: "the media type is empty"))),
        ContentTypeCase("form-data; boundary=abc", .failure(.malformedContentType(reason: "\"form-data\" is not a type/subtype media type"))),
    ]

    @Test(arguments: contentTypeCases)
    func boundaryFromContentType(_ test: ContentTypeCase) {
        let result = Result { () throws(MultipartError) in try MultipartBoundary(contentType: test.contentType).value }
        #expect(result == test.expected)
        if case .failure(let error) = test.expected {
            #expect(throws: error) { try MultipartFormCollector(contentType: test.contentType) }
        }
    }

    // MARK: Error reporting

    @Test func descriptionsAndStatuses() {
        #expect(MultipartError.truncated.description == "multipart body ended before the closing boundary")
        #expect(MultipartError.boundaryNotFound(boundary: "xyz").description.hasPrefix("multipart body ended before the closing boundary"))
        #expect(MultipartError.missingBoundary.description == "the multipart/form-data Content-Type has no boundary parameter")
        #expect(MultipartError.missingColon(part: 2, line: 3).description == "part 2, header line 3: no colon between header name and value")
        #expect(MultipartError.invalidHeaderCharacter(part: 1, line: 1, byte: 0).description == "part 1, header line 1: NUL byte in the header value")
        #expect(MultipartError.malformedDelimiter(part: 1, byte: 0x0A).description.hasPrefix("byte 0x0A follows the boundary delimiter before part 1"))
        #expect(MultipartError.partTooLarge(part: 3, name: "image", limit: 10).description == "part 3 (\"image\") exceeds 10 bytes")
        #expect(MultipartError.notMultipartFormData(mediaType: "text/plain").description == "the Content-Type is \"text/plain\", expected multipart/form-data")

        // The HTTP status each error maps to, spelled out case by case.
        let expectedStatuses: [(MultipartError, Int)] = [
            (.tooManyParts(limit: 3), 413),
            (.partHeadTooLarge(part: 1, limit: 10), 413),
            (.partTooLarge(part: 1, name: "image", limit: 10), 413),
            (.bodyTooLarge(limit: 10), 413),
            (.notMultipartFormData(mediaType: "text/plain"), 415),
            (.missingBoundary, 400),
            (.truncated, 400),
            (.missingName(part: 1), 400),
            (.missingColon(part: 1, line: 1), 400),
            (.malformedDelimiter(part: 1, byte: 0x41), 400),
        ]
        for (error, status) in expectedStatuses {
            #expect(error.httpError.status.code == status, "\(error)")
            #expect(error.httpError.detail == error.description)
        }
        #expect(!MultipartError.missingBoundary.isSizeLimit)
    }
}
