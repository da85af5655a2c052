/// Writes a response head. The server, not the handler, owns framing: any `Content-Length`,
/// `Transfer-Encoding` or `Connection` a handler set is replaced by what the connection will
/// actually do, so a handler cannot desynchronise the stream.
enum ResponseSerializer {
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
        /// HTTP/1.0 clients without a known length: the body ends when the connection closes.
        case closeDelimited
    }

    static let ownedHeaders = ["Content-Length", "Transfer-Encoding", "Connection", "Date"]

    static func framing(for response: HTTPResponse, version: HTTPVersion) -> Framing {
        guard response.status.allowsContent else { return .none }
        if let length = response.body.knownLength { return .length(length) }
        return version.isAtLeast1_1 ? .chunked : .closeDelimited
    }

    static func head(
        status: HTTPStatus,
        headers: HTTPHeaders,
        framing: Framing,
        keepAlive: Bool,
        version: HTTPVersion,
        extraHeaders: HTTPHeaders
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        for field in headers where !ownedHeaders.contains(where: { HTTPHeaders.equalsIgnoringCase($0, field.name) }) {
            append(field.name, field.value, to: &out)
        }
        for field in extraHeaders where !headers.contains(field.name) {
            append(field.name, field.value, to: &out)
        }
        append("Date", HTTPDate.now(), to: &out)
        switch framing {
        case .length(let n): append("Content-Length", String(n), to: &out)
        case .chunked: append("Transfer-Encoding", "chunked", to: &out)
        case .none, .closeDelimited: break
        }
        if !keepAlive {
            append("Connection", "close", to: &out)
        } else if !version.isAtLeast1_1 {
            append("Connection", "keep-alive", to: &out)
        }
        out.append(contentsOf: [0x0D, 0x0A])
        return out
    }

    /// One field line. Values with CR or LF are dropped rather than sent: a handler echoing
    /// client input must never be able to split a response.
    private static func append(_ name: String, _ value: String, to out: inout [UInt8]) {
        guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }),
              !name.isEmpty, name.utf8.allSatisfy({ CharacterClass.token[Int($0)] }) else { return }
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
        out.append(contentsOf: value.utf8)
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// A whole final answer to a request the connection cannot hand to a handler (a protocol
    /// error, a refused connection): head and problem body, `Connection: close`.
    static func closingErrorResponse(_ error: HTTPError, extraHeaders: HTTPHeaders) -> [UInt8] {
        let body = error.problem.jsonBytes()
        var headers = error.headers
        headers.set("Content-Type", ProblemDetails.mediaType)
        return head(
            status: error.status, headers: headers, framing: .length(body.count),
            keepAlive: false, version: .http1_1, extraHeaders: extraHeaders) + body
    }

    static func chunkHeader(_ size: Int) -> [UInt8] {
        Array("\(String(size, radix: 16))\r\n".utf8)
    }

    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
