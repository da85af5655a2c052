import Foundation
import HTTPCore
import Testing

/// JSONWriter's strings: plain ones copied as they are (the fast path), anything that needs an
/// escape escaped, and every output parsed back by Foundation to the same value.
struct JSONWriterTests {
    static let samples = [
        "", "plain ASCII", String(repeating: "QUJD+/=", count: 20_000), "quote \" and backslash \\",
        "new\nline\ttab\rreturn", "nul \u{0} bell \u{7} del \u{7F}", "é ü 漢字 🎨", "\u{1F}end",
    ]

    @Test(arguments: samples)
    func stringsRoundTrip(_ text: String) throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("text", text)
        writer.member("list", [text, "x"])
        writer.endObject()
        let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
        #expect(parsed?["text"] as? String == text)
        #expect(parsed?["list"] as? [String] == [text, "x"])
        let raw = String(decoding: writer.bytes, as: UTF8.self)
        #expect(!raw.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "control characters are escaped")
    }
}
