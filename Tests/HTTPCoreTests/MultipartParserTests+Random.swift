import HTTPCore
import Testing

/// SplitMix64: a tiny seeded generator, so every "random" body is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension MultipartParserTests {
    static let bchars = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)

    static func randomBoundary(_ rng: inout SeededGenerator) -> String {
        let length = Bool.random(using: &rng) ? Int.random(in: 1...8, using: &rng) : Int.random(in: 1...70, using: &rng)
        var bytes = (0..<length).map { _ in bchars.randomElement(using: &rng)! }
        if bytes.last == 0x20 { bytes[bytes.count - 1] = UInt8(ascii: "z") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Random binary data salted with near-misses of `delimiter`: every proper prefix of it
    /// followed by a byte that breaks it, bare CRs, CRLF-dash runs, and a trailing prefix.
    static func nearMissPayload(delimiter: [UInt8], length: Int, _ rng: inout SeededGenerator) -> [UInt8] {
        var payload: [UInt8] = []
        while payload.count < length {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0:
                payload += (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1, 2:
                let prefix = Int.random(in: 1..<delimiter.count, using: &rng)
                payload += delimiter[..<prefix]
                var breaker = UInt8.random(in: 0...255, using: &rng)
                if breaker == delimiter[prefix] { breaker ^= 0x01 }
                payload.append(breaker)
            case 3:
                payload += [[0x0D], [0x0D, 0x0A], [0x0D, 0x0A, 0x2D], [0x0D, 0x0D, 0x0A, 0x2D, 0x2D], [0x0A, 0x2D, 0x2D], [0x00]]
                    .randomElement(using: &rng)!
            default:
                payload += delimiter[2...]  // "--boundary" not preceded by CRLF
                payload.append(0x0A)
            }
        }
        if Bool.random(using: &rng) {
            payload += delimiter[..<Int.random(in: 1..<delimiter.count, using: &rng)]
        }
        return payload
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    static func randomCuts(count: Int, maxChunk: Int, _ rng: inout SeededGenerator) -> [Int] {
        var cuts: [Int] = []
        var position = 0
        while true {
            position += Int.random(in: 1...maxChunk, using: &rng)
            guard position < count else { return cuts }
            cuts.append(position)
        }
    }

    /// Bodies of several parts whose payloads are full of delimiter near-misses come back intact
    /// whole, in random chunks, and (for some) one byte at a time.
    @Test(arguments: 0..<8)
    func randomPayloadsWithNearMissesRoundTrip(seed: Int) throws {
        var rng = SeededGenerator(seed: 0x6D75_6C74_6970_6172 &+ UInt64(seed))
        for round in 0..<40 {
            let boundary = try MultipartBoundary(Self.randomBoundary(&rng))
            let delimiter = Array("\r\n--\(boundary.value)".utf8)
            // A preamble that may itself hold near-misses, as long as (after the virtual CRLF the
            // parser puts before a body) it does not contain the delimiter.
            var body: [UInt8] = []
            if Bool.random(using: &rng) {
                let preamble = Self.nearMissPayload(delimiter: delimiter, length: Int.random(in: 0...100, using: &rng), &rng)
                if !Self.contains([0x0D, 0x0A] + preamble, delimiter) { body = preamble }
            }
            var expected: [Expected] = []
            for index in 0..<Int.random(in: 1...4, using: &rng) {
                // No delimiter may occur inside a payload (RFC 2046); one straddling the payload's
                // end and the real delimiter is impossible, since only a delimiter's first byte is CR.
                var payload = Self.nearMissPayload(delimiter: delimiter, length: Int.random(in: 0...600, using: &rng), &rng)
                while Self.contains(payload, delimiter) {
                    payload = Self.nearMissPayload(delimiter: delimiter, length: payload.count, &rng)
                }
                let filename = Bool.random(using: &rng) ? "f\(index).bin" : nil
                body += Self.bytes((index == 0 && body.isEmpty ? "--" : "\r\n--") + boundary.value + "\r\n")
                body += Self.bytes(Self.part("p\(index)", filename: filename, type: filename.map { _ in "application/octet-stream" }, ""))
                body += payload
                expected.append(Expected("p\(index)", filename: filename, type: filename.map { _ in "application/octet-stream" }, bytes: payload))
            }
            body += Self.bytes("\r\n--\(boundary.value)--\r\n")

            let whole = Self.parse(body, boundary: boundary)
            guard case .parts(let parts) = whole else {
                Issue.record("seed \(seed) round \(round), boundary \"\(boundary)\": \(whole)")
                return
            }
            #expect(parts.map(Expected.init) == expected, "seed \(seed) round \(round)")
            let chunked = Self.parse(body, boundary: boundary, cuts: Self.randomCuts(count: body.count, maxChunk: delimiter.count * 2, &rng))
            #expect(chunked == whole, "seed \(seed) round \(round): random chunks")
            if round % 8 == 0 {
                #expect(Self.parse(body, boundary: boundary, cuts: Array(1..<body.count)) == whole, "seed \(seed) round \(round): bytewise")
            }
        }
    }

    /// Bodies stitched from multipart fragments at random, mostly malformed: whatever the
    /// outcome (parts or an error), it must not depend on how the body is chunked.
    @Test(arguments: 0..<4)
    func outcomeNeverDependsOnChunking(seed: Int) throws {
        var rng = SeededGenerator(seed: 0xC4A7_0000 &+ UInt64(seed))
        let boundary = try MultipartBoundary("bnd")
        let fragments = [
            "--bnd", "--", "\r\n", "\r", "\n", " ", "\t", "-", "x", "\u{0}", ":", "bnd", "\r\n--bnd", "\r\n--bn",
            "Content-Disposition: form-data; name=\"a\"", "Content-Disposition: form-data; name=b; filename=\"c\"",
            "Content-Type: text/plain", "X: y", "filename*=UTF-8''%E2%82%AC", "\r\n\r\n", "\r\n--bnd\r\n\r\n",
        ].map(Self.bytes)
        let limits = [
            MultipartLimits(),
            MultipartLimits(maxParts: 2, maxPartHeaderBytes: 48, maxPartBytes: 8, maxTotalBytes: 90),
        ]
        var outcomes: [String: Int] = [:]
        for round in 0..<300 {
            var body: [UInt8] = []
            for _ in 0..<Int.random(in: 1...40, using: &rng) { body += fragments.randomElement(using: &rng)! }
            let limit = limits.randomElement(using: &rng)!
            let formData = Bool.random(using: &rng)
            let whole = Self.parse(body, boundary: boundary, limits: limit, formData: formData)
            let bytewise = Self.parse(body, boundary: boundary, limits: limit, formData: formData, cuts: Array(1..<max(1, body.count)))
            let chunked = Self.parse(body, boundary: boundary, limits: limit, formData: formData, cuts: Self.randomCuts(count: body.count, maxChunk: 7, &rng))
            #expect(bytewise == whole, "seed \(seed) round \(round) bytewise")
            #expect(chunked == whole, "seed \(seed) round \(round) chunked")
            switch whole {
            case .parts: outcomes["parts", default: 0] += 1
            case .failure(let error): outcomes[String(describing: error).prefix(12).description, default: 0] += 1
            }
        }
        // The generator must exercise more than one kind of outcome to be worth anything.
        #expect(outcomes.count > 3, "\(outcomes)")
    }
}
