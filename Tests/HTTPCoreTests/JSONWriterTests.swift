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

    /// Base64 members equal Foundation's encoding for every tail length, and sit in valid JSON.
    @Test func base64MembersMatchFoundation() throws {
        var state: UInt64 = 7
        // Small sizes only: a debug-build loop over megabytes would hold a test thread for seconds
        // and starve the socket tests that run beside it.
        for count in Array(0..<40) + [3000, 3001, 3002] {
            let data = (0..<count).map { _ -> UInt8 in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            var writer = JSONWriter(capacity: count * 2)
            writer.beginObject()
            writer.member("a", 1)
            writer.member("image", base64: data)
            writer.member("after", true)
            writer.endObject()
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
            #expect(parsed["image"] as? String == Data(data).base64EncodedString(), "\(count) bytes")
            #expect(parsed["a"] as? Int == 1 && parsed["after"] as? Bool == true)
        }
    }
}
