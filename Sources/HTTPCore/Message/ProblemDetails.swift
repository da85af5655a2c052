/// An RFC 9457 problem details object, the body of every error response.
public struct ProblemDetails: Sendable, Equatable {
    /// An extension member's value; problem documents stay flat, so scalars and string lists suffice.
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        case strings([String])
    }

    public static let mediaType = "application/problem+json"

    /// A URI naming the problem type; `about:blank` means "the status code says it all".
    public var type: String
    public var title: String
    public var status: Int
    /// A human-readable explanation specific to this occurrence: what exactly was wrong.
    public var detail: String?
    /// A URI reference for this occurrence (e.g. the request path).
    public var instance: String?
    /// Extension members in the order they were added.
    public var extensions: [(key: String, value: Value)]

    public init(
        status: HTTPStatus,
        detail: String? = nil,
        type: String = "about:blank",
        title: String? = nil,
        instance: String? = nil,
        extensions: [(key: String, value: Value)] = []
    ) {
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.instance = instance
        self.extensions = extensions
    }

    public static func == (lhs: ProblemDetails, rhs: ProblemDetails) -> Bool {
        lhs.type == rhs.type && lhs.title == rhs.title && lhs.status == rhs.status && lhs.detail == rhs.detail
            && lhs.instance == rhs.instance && lhs.extensions.map(\.key) == rhs.extensions.map(\.key)
            && lhs.extensions.map(\.value) == rhs.extensions.map(\.value)
    }

    /// The JSON document, UTF-8 encoded.
    public func jsonBytes() -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.member("type", type)
        json.member("title", title)
        json.member("status", status)
        if let detail { json.member("detail", detail) }
        if let instance { json.member("instance", instance) }
        for (key, value) in extensions {
            switch value {
            case .string(let s): json.member(key, s)
            case .int(let i): json.member(key, i)
            case .double(let d): json.member(key, d)
            case .bool(let b): json.member(key, b)
            case .strings(let list): json.member(key, list)
            }
        }
        json.endObject()
        return json.bytes
    }
}
