/// Collects a whole multipart/form-data body into `[MultipartPart]`, for handlers that want the
/// fields and files in memory (a photo upload and a few text fields).
///
/// It is `MultipartParser` plus copying: every limit is enforced by the parser while the chunks
/// stream in, so the collector never holds more than `maxTotalBytes` (or `maxParts ×
/// maxPartBytes` without a total limit) of part bodies, and refuses an oversized body at the
/// chunk that crosses the limit, not after reading it all.
///
///     var collector = try MultipartFormCollector(contentType: request.headers["Content-Type"] ?? "")
///     for try await chunk in request.body { try collector.feed(chunk) }
///     let parts = try collector.finish()
public struct MultipartFormCollector: Sendable {
    private var parser: MultipartParser
    /// The parts completed so far, in body order.
    public private(set) var parts: [MultipartPart] = []
    private var current: MultipartPart?

    public init(boundary: MultipartBoundary, limits: MultipartLimits = MultipartLimits()) {
        parser = MultipartParser(boundary: boundary, limits: limits)
    }

    /// A collector for the body announced by a Content-Type value (`multipart/form-data; boundary=...`).
    public init(contentType: String, limits: MultipartLimits = MultipartLimits()) throws(MultipartError) {
        parser = try MultipartParser(contentType: contentType, limits: limits)
    }

    public mutating func feed(_ bytes: [UInt8]) throws(MultipartError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MultipartError) in
            try feed(UnsafeRawBufferPointer(buffer))
        }
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(MultipartError) {
        // The handler cannot touch `self` while `self.parser` is being mutated (exclusive access),
        // so the collected state moves into locals for the call; swapping keeps the arrays
        // uniquely referenced, so appending never copies them.
        var parts: [MultipartPart] = []
        var current: MultipartPart?
        swap(&parts, &self.parts)
        swap(&current, &self.current)
        defer {
            swap(&parts, &self.parts)
            swap(&current, &self.current)
        }
        try parser.feed(bytes) { (event) throws(MultipartError) in
            switch event {
            case .partBegin(let head):
                current = MultipartPart(head: head, body: [])
            case .partData(let data):
                current?.body.append(contentsOf: data)  // one memcpy per event
            case .partEnd:
                if let part = current { parts.append(part) }
                current = nil
            }
        }
    }

    /// Declares the end of the body and returns its parts; throws if the close delimiter was
    /// never seen ("multipart body ended before the closing boundary").
    public mutating func finish() throws(MultipartError) -> [MultipartPart] {
        try parser.finish()
        return parts
    }

    /// Parses a body already in memory.
    public static func collect(_ body: [UInt8], contentType: String, limits: MultipartLimits = MultipartLimits()) throws(MultipartError) -> [MultipartPart] {
        var collector = try MultipartFormCollector(contentType: contentType, limits: limits)
        try collector.feed(body)
        return try collector.finish()
    }
}
