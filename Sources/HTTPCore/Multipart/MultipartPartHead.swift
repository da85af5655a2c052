/// The header section of one part, with the form-data fields already pulled out of it.
public struct MultipartPartHead: Sendable, Equatable, CustomStringConvertible {
    /// Every header line in order, names as sent (compare them case-insensitively), values with
    /// surrounding whitespace removed. Raw non-ASCII bytes in a value (browsers send UTF-8
    /// filenames unencoded) are decoded as UTF-8, invalid sequences becoming U+FFFD.
    public var headers: [(name: String, value: String)]
    /// The Content-Disposition `name` parameter: the form field name. Always present for parts
    /// parsed with form-data validation (the default); may be nil otherwise.
    public var name: String?
    /// The file name: the RFC 5987 `filename*` parameter when present and decodable, else
    /// `filename`. Nil for ordinary fields. It is the client's word: never use it as a path.
    public var filename: String?
    /// The part's Content-Type value as sent, or nil (RFC 7578 §4.4: then text/plain).
    public var contentType: String?

    public init(headers: [(name: String, value: String)] = [], name: String? = nil, filename: String? = nil, contentType: String? = nil) {
        self.headers = headers
        self.name = name
        self.filename = filename
        self.contentType = contentType
    }

    /// The first value of header `name`, compared case-insensitively.
    public subscript(header name: String) -> String? {
        headers.first { MultipartHeaderValue.equalsIgnoringCase($0.name, name) }?.value
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.filename == rhs.filename && lhs.contentType == rhs.contentType
            && lhs.headers.count == rhs.headers.count
            && zip(lhs.headers, rhs.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public var description: String {
        var text = "part"
        if let name { text += " name=\"\(name)\"" }
        if let filename { text += " filename=\"\(filename)\"" }
        if let contentType { text += " type=\(contentType)" }
        return text
    }

    // MARK: Parsing (used by MultipartParser)

    /// Builds a head from its header fields. With `formData`, enforces RFC 7578 §4.2: exactly one
    /// Content-Disposition, of type form-data, with a name.
    init(fields: [(name: String, value: String)], part: Int, formData: Bool) throws(MultipartError) {
        self.init(headers: fields)
        var disposition: String?
        for field in fields {
            if MultipartHeaderValue.equalsIgnoringCase(field.name, "Content-Disposition") {
                guard disposition == nil else { throw .duplicateHeader(part: part, name: "Content-Disposition") }
                disposition = field.value
            } else if MultipartHeaderValue.equalsIgnoringCase(field.name, "Content-Type") {
                guard contentType == nil else { throw .duplicateHeader(part: part, name: "Content-Type") }
                contentType = field.value
            }
        }
        guard let disposition else {
            if formData { throw .missingContentDisposition(part: part) }
            return
        }
        let failure = { (reason: String) in MultipartError.malformedContentDisposition(part: part, reason: reason) }
        let (type, parameters) = try MultipartHeaderValue.parse(disposition, failure: failure)
        if formData && !MultipartHeaderValue.equalsIgnoringCase(type, "form-data") {
            throw .notFormDataDisposition(part: part, type: type)
        }
        name = try MultipartHeaderValue.single("name", in: parameters, failure: failure)
        if formData && name == nil { throw .missingName(part: part) }
        filename = try MultipartHeaderValue.single("filename", in: parameters, failure: failure)
        if let extended = try MultipartHeaderValue.single("filename*", in: parameters, failure: failure) {
            // RFC 7578 §4.2 tells senders not to use filename*, but some do; when it is there it is
            // the more precise spelling (RFC 6266 §4.3), so it wins over the plain parameter.
            if let decoded = try Self.decodeExtendedValue(extended, failure: failure) { filename = decoded }
        }
    }

    /// Decodes an RFC 5987 ext-value, `charset "'" [language] "'" pct-encoded-chars`. UTF-8 and
    /// ISO-8859-1 are understood (the two RFC 5987 requires); another charset yields nil so the
    /// plain `filename` is used instead, which is what RFC 6266 asks of receivers.
    static func decodeExtendedValue(_ value: String, failure: (String) -> MultipartError) throws(MultipartError) -> String? {
        let pieces = value.utf8.split(separator: UInt8(ascii: "'"), maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { throw failure("filename* is not of the form charset'language'value") }
        let charset = String(decoding: pieces[0], as: UTF8.self)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pieces[2].count)
        var iterator = pieces[2].makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(HexDigit.value(of:)), let low = iterator.next().flatMap(HexDigit.value(of:)) else {
                    throw failure("filename* has a malformed percent-escape")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        if MultipartHeaderValue.equalsIgnoringCase(charset, "UTF-8") {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw failure("filename* is declared UTF-8 but is not valid UTF-8")
            }
            return text
        }
        if MultipartHeaderValue.equalsIgnoringCase(charset, "ISO-8859-1") {
            // Latin-1 bytes are exactly the first 256 Unicode scalars.
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        }
        return nil
    }

    /// Parses one header line (without its CRLF) into a field. The line has already been checked
    /// to contain no CR or LF.
    static func parseField(_ line: UnsafeRawBufferPointer, part: Int, line lineNumber: Int) throws(MultipartError) -> (name: String, value: String) {
        guard let first = line.first else { throw .missingColon(part: part, line: lineNumber) }
        // A line starting with whitespace continues the previous one in RFC 5322 (obs-fold).
        // RFC 9112 §5.2 rejects it in HTTP; multipart heads get the same treatment because
        // folding is a classic way to smuggle a second reading of a header past a filter.
        if MultipartHeaderValue.isWhitespace(first) { throw .obsoleteLineFolding(part: part, line: lineNumber) }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .missingColon(part: part, line: lineNumber) }
        guard colon > 0, line[..<colon].allSatisfy(MultipartHeaderValue.isToken) else {
            throw .invalidHeaderName(part: part, line: lineNumber)
        }
        var start = colon + 1
        var end = line.count
        while start < end && MultipartHeaderValue.isWhitespace(line[start]) { start += 1 }
        while end > start && MultipartHeaderValue.isWhitespace(line[end - 1]) { end -= 1 }
        for byte in line[start..<end] where (byte < 0x20 && byte != 0x09) || byte == 0x7F {
            throw .invalidHeaderCharacter(part: part, line: lineNumber, byte: byte)
        }
        return (
            name: String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self),
            value: String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
        )
    }
}
