import Testing
@testable import HTTPCore

private func decode(_ wire: String, pieces: Int = 1, limits: HTTPLimits = HTTPLimits()) -> Result<(String, HTTPHeaders, Int), HTTPError> {
    let bytes = Array(wire.utf8)
    var decoder = ChunkedDecoder(limits: limits)
    var output: [UInt8] = []
    var consumed = 0
    let step = max(1, bytes.count / pieces)
    var start = 0
    while start < bytes.count && !decoder.isDone {
        let end = min(bytes.count, start + step)
        let result = bytes[start..<end].withUnsafeBytes { buffer in
            Result { () throws(HTTPError) in try decoder.decode(buffer) { output.append(contentsOf: $0) } }
        }
        switch result {
        case .success(let n): consumed += n
        case .failure(let error): return .failure(error)
        }
        start = end
    }
    guard decoder.isDone else { return .failure(HTTPError(.badRequest, detail: "incomplete")) }
    return .success((String(decoding: output, as: UTF8.self), decoder.trailers, consumed))
}

struct ChunkedDecoderTests {
    @Test(arguments: [1, 2, 3, 7, 1000])
    func decodesChunksWithExtensionsAndTrailers(pieces: Int) throws {
        let wire = "5;name=value\r\nhello\r\n1 ; x\r\n \r\n6\r\nworld!\r\n0\r\nX-Checksum: abc\r\nContent-Length: 99\r\n\r\nGET /next"
        let (body, trailers, consumed) = try decode(wire, pieces: pieces).get()
        #expect(body == "hello world!")
        #expect(trailers["X-Checksum"] == "abc")
        // Framing fields are never taken from trailers.
        #expect(trailers["Content-Length"] == nil)
        #expect(consumed == wire.utf8.count - "GET /next".utf8.count)
    }

    @Test func byteAtATime() throws {
        let wire = "A\r\n0123456789\r\n0\r\n\r\n"
        #expect(try decode(wire, pieces: wire.utf8.count).get().0 == "0123456789")
    }

    @Test(arguments: [
        ("Z\r\nabc\r\n0\r\n\r\n", 400),             // not hex
        ("\r\n", 400),                               // no size
        ("3\r\nabcd\r\n0\r\n\r\n", 400),             // data longer than size
        ("3\nabc\r\n0\r\n\r\n", 400),                // bare LF after size
        ("3 x\r\nabc\r\n0\r\n\r\n", 400),            // whitespace not followed by extension
        ("3;a\u{01}\r\nabc\r\n0\r\n\r\n", 400),      // control byte in extension
        ("ffffffffffffffffff\r\n", 413),             // size overflow
        ("0\r\nX: a\nY: b\r\n\r\n", 400),            // bare LF in trailers
        ("0\r\nbad trailer\r\n\r\n", 400),           // trailer without colon
    ])
    func rejectsMalformedChunking(wire: String, status: Int) {
        #expect(decode(wire).failureStatus == status)
    }

    @Test func extensionAndTrailerLimits() {
        var limits = HTTPLimits()
        limits.maxChunkExtensionBytes = 16
        limits.maxTrailerBytes = 32
        #expect(decode("1;" + String(repeating: "e", count: 40) + "\r\na\r\n0\r\n\r\n", limits: limits).failureStatus == 400)
        #expect(decode("0\r\nX: " + String(repeating: "t", count: 64) + "\r\n\r\n", limits: limits).failureStatus == 431)
    }

    @Test func bodyDecoderEnforcesTheBodyLimitOnChunkedData() {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 10
        var decoder = BodyDecoder(framing: .chunked, limits: limits)
        let wire = Array("8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n".utf8)
        let result = wire.withUnsafeBytes { buffer in
            Result { () throws(HTTPError) in try decoder.decode(buffer) { _ in } }
        }
        #expect(result.failureStatus == 413)
    }
}
