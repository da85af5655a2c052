/// One part of a multipart/form-data body, collected whole by `MultipartFormCollector`.
public struct MultipartPart: Sendable, Equatable {
    public var head: MultipartPartHead
    public var body: [UInt8]

    public init(head: MultipartPartHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }

    /// The form field name (see `MultipartPartHead.name`).
    public var name: String? { head.name }
    /// The file name, nil for an ordinary field (see `MultipartPartHead.filename`).
    public var filename: String? { head.filename }
    /// The part's Content-Type as sent, or nil.
    public var contentType: String? { head.contentType }
    /// The body decoded as UTF-8 (invalid sequences become U+FFFD): the value of a text field.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
