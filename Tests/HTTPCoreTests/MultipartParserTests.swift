import HTTPCore
import Testing

/// The multipart/form-data parser: valid bodies, chunking invariance, malformed bodies, limits.
/// More of the suite lives in MultipartParserTests+Errors.swift and MultipartParserTests+Random.swift.
@Suite struct MultipartParserTests {
    // MARK: Helpers

    /// What parsing a body produced: its parts, or the error it was refused with.
    enum Outcome: Equatable, CustomStringConvertible {
        case parts([MultipartPart])
        case failure(MultipartError)

        var description: String {
            switch self {
            case .parts(let parts): "parts \(parts.map { "\($0.head) body=\($0.body)" })"
            case .failure(let error): "failure \(error)"
            }
        }
    }

    /// Feeds `body` in the pieces that `cuts` (sorted offsets) delimit, checking the event order
    /// (begin, non-empty data..., end) on the way, then calls finish().
    static func parse(
        _ body: [UInt8],
        boundary: MultipartBoundary,
        limits: MultipartLimits = MultipartLimits(),
        formData: Bool = true,
        cuts: [Int] = []
    ) -> Outcome {
        var parser = MultipartParser(boundary: boundary, limits: limits, validatesFormData: formData)
        var parts: [MultipartPart] = []
        var current: MultipartPart?
        var orderIsValid = true
        var start = 0
        do throws(MultipartError) {
            for end in cuts + [body.count] {
                try parser.feed(Array(body[start..<end])) { event throws(MultipartError) in
                    switch event {
                    case .partBegin(let head):
                        if current != nil { orderIsValid = false }
                        current = MultipartPart(head: head, body: [])
                    case .partData(let data):
                        if current == nil || data.isEmpty { orderIsValid = false }
                        current?.body.append(contentsOf: data)
                    case .partEnd:
                        if let part = current { parts.append(part) } else { orderIsValid = false }
                        current = nil
                    }
                }
                start = end
            }
            try parser.finish()
            #expect(current == nil, "a part was begun but never ended")
            #expect(parser.isComplete)
            #expect(orderIsValid, "events out of order")
            return .parts(parts)
        } catch {
            #expect(orderIsValid, "events out of order")
            return .failure(error)
        }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A form-data part as the tests write it.
    static func part(_ name: String, filename: String? = nil, type: String? = nil, _ body: String) -> String {
        var head = "Content-Disposition: form-data; name=\"\(name)\""
        if let filename { head += "; filename=\"\(filename)\"" }
        head += "\r\n"
        if let type { head += "Content-Type: \(type)\r\n" }
        return head + "\r\n" + body
    }

    // MARK: Valid bodies

    struct Expected: Sendable, Equatable, CustomStringConvertible {
        var name: String?
        var filename: String?
        var contentType: String?
        var body: [UInt8]

        init(_ name: String?, filename: String? = nil, type: String? = nil, _ body: String) {
            self.init(name, filename: filename, type: type, bytes: Array(body.utf8))
        }

        init(_ name: String?, filename: String? = nil, type: String? = nil, bytes: [UInt8]) {
            self.name = name
            self.filename = filename
            self.contentType = type
            self.body = bytes
        }

        init(_ part: MultipartPart) {
            self.init(part.name, filename: part.filename, type: part.contentType, bytes: part.body)
        }

        var description: String { "\(name ?? "nil") \(filename ?? "-") \(contentType ?? "-") \(body)" }
    }

    struct ValidCase: Sendable, CustomTestStringConvertible {
        var label: String
        var contentType: String
        var body: [UInt8]
        var expected: [Expected]
        var testDescription: String { label }

        init(_ label: String, _ contentType: String, _ body: String, _ expected: [Expected]) {
            self.init(label, contentType, bytes: Array(body.utf8), expected)
        }

        init(_ label: String, _ contentType: String, bytes: [UInt8], _ expected: [Expected]) {
            self.label = label
            self.contentType = contentType
            self.body = bytes
            self.expected = expected
        }
    }

    /// A JPEG-ish payload with NULs, bare CR and LF, and a delimiter prefix cut short.
    static let binary: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x0D, 0x00, 0x0A, 0x0D, 0x0A, 0x2D, 0x2D]
        + Array("AaB03".utf8) + [0x00, 0x0D, 0x0D, 0x0A, 0x2D, 0x0D, 0x0A, 0x0D, 0xFF, 0xD9]

    static let validCases: [ValidCase] = [
        ValidCase(
            "one field", "multipart/form-data; boundary=XyZ",
            "--XyZ\r\n" + part("title", "Sunset at the pier") + "\r\n--XyZ--\r\n",
            [Expected("title", "Sunset at the pier")]
        ),
        ValidCase(
            "several fields, CRLF inside a value", "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
            "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n" + part("a", "1")
                + "\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n" + part("b", "line 1\r\nline 2\r\n")
                + "\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n" + part("c", "--")
                + "\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW--",
            [Expected("a", "1"), Expected("b", "line 1\r\nline 2\r\n"), Expected("c", "--")]
        ),
        ValidCase(
            "file and fields, binary data", "multipart/form-data; boundary=AaB03x",
            bytes: bytes("--AaB03x\r\n" + part("strength", "0.8") + "\r\n--AaB03x\r\n"
                + part("image", filename: "pier.jpg", type: "image/jpeg", ""))
                + binary + bytes("\r\n--AaB03x\r\n" + part("style", "warm") + "\r\n--AaB03x--\r\n"),
            [Expected("strength", "0.8"), Expected("image", filename: "pier.jpg", type: "image/jpeg", bytes: binary), Expected("style", "warm")]
        ),
        ValidCase(
            "empty parts (field and unselected file)", "multipart/form-data; boundary=b",
            "--b\r\n" + part("empty", "") + "\r\n--b\r\n" + part("file", filename: "", type: "application/octet-stream", "") + "\r\n--b--",
            [Expected("empty", ""), Expected("file", filename: "", type: "application/octet-stream", "")]
        ),
        ValidCase(
            "quoted boundary with spaces and specials", "multipart/form-data; boundary=\"gc0p4Jq0M2Yt08j34c0p boundary:=?\"",
            "--gc0p4Jq0M2Yt08j34c0p boundary:=?\r\n" + part("x", "y") + "\r\n--gc0p4Jq0M2Yt08j34c0p boundary:=?--",
            [Expected("x", "y")]
        ),
        ValidCase(
            "preamble and epilogue", "multipart/form-data; boundary=b",
            "This is the preamble.  It is to be ignored.\r\n--b\r\n" + part("x", "y")
                + "\r\n--b--\r\nThis is the epilogue, also ignored, even --b\r\n and --b--",
            [Expected("x", "y")]
        ),
        ValidCase(
            "preamble that only almost contains the delimiter", "multipart/form-data; boundary=boundary",
            "--bound\r\n--boundar\r\n-\r\n--boundary\r\n" + part("x", "y") + "\r\n--boundary--",
            [Expected("x", "y")]
        ),
        ValidCase(
            "empty preamble (body starts with CRLF)", "multipart/form-data; boundary=b",
            "\r\n--b\r\n" + part("x", "y") + "\r\n--b--",
            [Expected("x", "y")]
        ),
        ValidCase(
            "transport padding after delimiters", "multipart/form-data; boundary=b",
            "--b \t \r\n" + part("x", "1") + "\r\n--b\t\r\n" + part("y", "2") + "\r\n--b-- \t\r\n",
            [Expected("x", "1"), Expected("y", "2")]
        ),
        ValidCase(
            "near-miss delimiters in data", "multipart/form-data; boundary=boundary42",
            "--boundary42\r\n"
                + part("x", "a\r\n--boundary4X\r\n--bound\r\r\n--boundary4\n--boundary42\r\n-\r\n--\r")
                + "\r\n--boundary42\r\n" + part("y", "\r\n") + "\r\n--boundary42\r\n" + part("z", "\r\n--boundary4")
                + "\r\n--boundary42--",
            [Expected("x", "a\r\n--boundary4X\r\n--bound\r\r\n--boundary4\n--boundary42\r\n-\r\n--\r"), Expected("y", "\r\n"), Expected("z", "\r\n--boundary4")]
        ),
        ValidCase(
            "filename* (RFC 5987) wins over filename", "multipart/form-data; boundary=b",
            "--b\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"EUR rates.txt\"; filename*=UTF-8''%e2%82%ac%20rates.txt\r\n\r\nx\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"latin\"; filename*=iso-8859-1'en'%A3%20rates.txt\r\n\r\ny\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"other\"; filename=\"plain.txt\"; filename*=KOI8-R''%C6\r\n\r\nz\r\n--b--",
            [Expected("doc", filename: "€ rates.txt", "x"), Expected("latin", filename: "£ rates.txt", "y"), Expected("other", filename: "plain.txt", "z")]
        ),
        ValidCase(
            "quoted-string escapes; browser backslashes kept", "multipart/form-data; boundary=b",
            "--b\r\nContent-Disposition: form-data; name=\"say \\\"hi\\\" \\\\ there\"; filename=\"C:\\photos\\pier.jpg\"\r\n\r\nx\r\n--b--",
            [Expected("say \"hi\" \\ there", filename: "C:\\photos\\pier.jpg", "x")]
        ),
        ValidCase(
            "raw UTF-8 filename, token-form name", "multipart/form-data; boundary=b",
            "--b\r\nContent-Disposition: form-data; name=photo; filename=\"фото пирс.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nx\r\n--b--",
            [Expected("photo", filename: "фото пирс.jpg", type: "image/jpeg", "x")]
        ),
        ValidCase(
            "case-insensitive header, type and parameter names; extra headers", "Multipart/Form-Data; charset=utf-8; BOUNDARY=b; other=\"x;y\"",
            "--b\r\ncontent-disposition:FORM-DATA ;NAME=\"n\" ; FileName=\"f.txt\";\r\nCONTENT-TYPE:   text/plain; charset=utf-8  \r\nContent-Transfer-Encoding: 8bit\r\n\r\nv\r\n--b--",
            [Expected("n", filename: "f.txt", type: "text/plain; charset=utf-8", "v")]
        ),
        ValidCase(
            "runs of CR, with and without LF, next to delimiters", "multipart/form-data; boundary=b",
            "--b\r\n" + part("x", "\r\r\r") + "\r\n--b\r\n" + part("y", "\r\r\n\r\r\n-\r\r\r\n--\r") + "\r\r\n--b\r\n" + part("z", "\r") + "\r\n--b--",
            [Expected("x", "\r\r\r"), Expected("y", "\r\r\n\r\r\n-\r\r\r\n--\r\r"), Expected("z", "\r")]
        ),
        ValidCase("no parts at all", "multipart/form-data; boundary=b", "--b--", []),
        ValidCase(
            "one-character boundary that starts with a dash", "multipart/form-data; boundary=-",
            "---\r\n" + part("x", "--\r\n--\r\n-") + "\r\n-----",
            [Expected("x", "--\r\n--\r\n-")]
        ),
        ValidCase(
            "70-character boundary", "multipart/form-data; boundary=" + String(repeating: "0123456789", count: 7),
            "--" + String(repeating: "0123456789", count: 7) + "\r\n" + part("x", "\r\n--0123456789") + "\r\n--" + String(repeating: "0123456789", count: 7) + "--",
            [Expected("x", "\r\n--0123456789")]
        ),
    ]

    @Test(arguments: validCases)
    func parsesValidBody(_ valid: ValidCase) throws {
        let boundary = try MultipartBoundary(contentType: valid.contentType)
        let outcome = Self.parse(valid.body, boundary: boundary)
        guard case .parts(let parts) = outcome else {
            Issue.record("expected parts, got \(outcome)")
            return
        }
        #expect(parts.map(Expected.init) == valid.expected)
    }

    @Test(arguments: validCases)
    func everyTwoPieceSplitGivesTheSameParts(_ valid: ValidCase) throws {
        let boundary = try MultipartBoundary(contentType: valid.contentType)
        let whole = Self.parse(valid.body, boundary: boundary)
        for cut in 0...valid.body.count {
            let split = Self.parse(valid.body, boundary: boundary, cuts: [cut])
            guard split == whole else {
                Issue.record("split at \(cut): \(split), whole: \(whole)")
                return
            }
        }
    }

    @Test(arguments: validCases)
    func byteAtATimeGivesTheSameParts(_ valid: ValidCase) throws {
        let boundary = try MultipartBoundary(contentType: valid.contentType)
        let whole = Self.parse(valid.body, boundary: boundary)
        let bytewise = Self.parse(valid.body, boundary: boundary, cuts: valid.body.isEmpty ? [] : Array(1..<valid.body.count))
        #expect(bytewise == whole)
    }

    @Test(arguments: validCases)
    func collectorGivesTheSameParts(_ valid: ValidCase) throws {
        let parts = try MultipartFormCollector.collect(valid.body, contentType: valid.contentType)
        #expect(parts.map(Expected.init) == valid.expected)
        // And fed in three uneven pieces.
        var collector = try MultipartFormCollector(contentType: valid.contentType)
        let third = valid.body.count / 3
        try collector.feed(Array(valid.body[..<third]))
        try collector.feed(Array(valid.body[third..<(third * 2 + 1)]))
        try collector.feed(Array(valid.body[(third * 2 + 1)...]))
        #expect(try collector.finish() == parts)
    }

    @Test func rawHeadersAreKeptInOrder() throws {
        let body = Self.bytes("--b\r\nContent-Disposition: form-data; name=\"n\"\r\nX-Custom:  a b  \r\ncontent-type: text/csv\r\n\r\nv\r\n--b--")
        let parts = try MultipartFormCollector.collect(body, contentType: "multipart/form-data; boundary=b")
        let head = try #require(parts.first).head
        #expect(head.headers.map(\.name) == ["Content-Disposition", "X-Custom", "content-type"])
        #expect(head.headers.map(\.value) == ["form-data; name=\"n\"", "a b", "text/csv"])
        #expect(head[header: "CONTENT-TYPE"] == "text/csv")
        #expect(head.contentType == "text/csv")
        #expect(parts.first?.text == "v")
    }

    /// Without form-data validation, parts may have no head at all; both RFC 2046 spellings of
    /// an empty head-less part (with and without the blank line) are understood.
    @Test func partsWithoutHeaders() throws {
        let body = Self.bytes("--b\r\n\r\nno headers\r\n--b\r\n\r\n--b\r\n\r\n\r\n--b\r\n\r\n--b--")
        let boundary = try MultipartBoundary("b")
        let expected = Outcome.parts([
            MultipartPart(head: MultipartPartHead(), body: Self.bytes("no headers")),
            MultipartPart(head: MultipartPartHead(), body: []),
            MultipartPart(head: MultipartPartHead(), body: []),
            MultipartPart(head: MultipartPartHead(), body: []),
        ])
        #expect(Self.parse(body, boundary: boundary, formData: false) == expected)
        #expect(Self.parse(body, boundary: boundary, formData: false, cuts: Array(1..<body.count)) == expected)
        for cut in 0...body.count {
            #expect(Self.parse(body, boundary: boundary, formData: false, cuts: [cut]) == expected)
        }
        // Body bytes that begin like a delimiter right after the blank line stay data, however split.
        let dashes = Self.bytes("--b\r\n\r\n--x\r\n--b\r\n\r\n-\r\n--b--")
        let dashParts = Outcome.parts([
            MultipartPart(head: MultipartPartHead(), body: Self.bytes("--x")),
            MultipartPart(head: MultipartPartHead(), body: Self.bytes("-")),
        ])
        #expect(Self.parse(dashes, boundary: boundary, formData: false) == dashParts)
        #expect(Self.parse(dashes, boundary: boundary, formData: false, cuts: Array(1..<dashes.count)) == dashParts)
        for cut in 0...dashes.count {
            #expect(Self.parse(dashes, boundary: boundary, formData: false, cuts: [cut]) == dashParts, "cut at \(cut)")
        }
        // The same body is not valid form-data: the first part has no Content-Disposition.
        #expect(Self.parse(body, boundary: boundary) == .failure(.missingContentDisposition(part: 1)))
    }

    /// Part data is handed out as views into the fed chunk, not copies, and is emitted as soon as
    /// it cannot be the start of a delimiter; only a delimiter prefix is held back.
    @Test func dataIsViewedInPlaceAndHeldBackOnlyAtADelimiterPrefix() throws {
        var parser = try MultipartParser(boundary: "boundary")
        let head = Self.bytes("--boundary\r\n" + Self.part("f", filename: "a.bin", ""))
        var chunk = head + [UInt8](repeating: 0x41, count: 1000) + Self.bytes("\r\n--bound")
        var emitted = 0
        var allInside = true
        try chunk.withUnsafeBufferPointer { (buffer) throws(MultipartError) in
            let input = UnsafeRawBufferPointer(buffer)
            try parser.feed(input) { event throws(MultipartError) in
                if case .partData(let data) = event {
                    emitted += data.count
                    let inside = data.baseAddress! >= input.baseAddress! && data.baseAddress! + data.count <= input.baseAddress! + input.count
                    allInside = allInside && inside
                }
            }
        }
        #expect(allInside)
        #expect(emitted == 1000, "everything but the 9-byte delimiter prefix is emitted at once")

        // The held prefix turns out to be data.
        chunk = Self.bytes("X\r\n--boundary--")
        var rest: [UInt8] = []
        var ended = false
        try parser.feed(chunk) { event throws(MultipartError) in
            switch event {
            case .partData(let data): rest += data
            case .partEnd: ended = true
            case .partBegin: Issue.record("unexpected part")
            }
        }
        #expect(rest == Self.bytes("\r\n--boundX"))
        #expect(ended)
        try parser.finish()
    }

    @Test func anErrorIsSticky() throws {
        var parser = try MultipartParser(boundary: "b")
        let bad = Self.bytes("--b\r\nNo colon here\r\n\r\n")
        #expect(throws: MultipartError.missingColon(part: 1, line: 1)) { try parser.feed(bad) { _ in } }
        #expect(throws: MultipartError.missingColon(part: 1, line: 1)) { try parser.feed(Self.bytes("--b--")) { _ in } }
        #expect(throws: MultipartError.missingColon(part: 1, line: 1)) { try parser.finish() }
    }

    @Test func epilogueIsNotBufferedOrParsed() throws {
        var parser = try MultipartParser(boundary: "b", limits: MultipartLimits(maxTotalBytes: nil))
        try parser.feed(Self.bytes("--b\r\n" + Self.part("x", "y") + "\r\n--b--")) { _ in }
        #expect(parser.isComplete)
        let junk = [UInt8](repeating: 0x0D, count: 1 << 20)
        for _ in 0..<8 {
            try parser.feed(junk) { _ in Issue.record("event in the epilogue") }
        }
        try parser.finish()
    }
}
