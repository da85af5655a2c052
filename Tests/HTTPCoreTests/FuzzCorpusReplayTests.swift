import Foundation
import Testing
@testable import HTTPCore

/// Replays the committed fuzz seed corpora (fuzz/corpus, `make fuzz`) in the ordinary suite, with
/// the property the fuzzers check done exhaustively here: for every way of splitting the input in
/// two (and for every piece size), the chunked decoder, the multipart parser and the head scanner
/// give the same outcome as when fed the whole input. libFuzzer samples splits at random; this
/// tries each one on the seeds, and runs in `make test`, where the fuzzers do not.
/// Each seed's first byte steers the fuzzer's split; it is dropped here, as the fuzzers drop it.
@Suite struct FuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus")

    static func seeds(_ target: String) -> [[UInt8]] {
        let folder = corpus.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).map { Array($0.dropFirst()) }
        }
    }

    // MARK: chunked

    enum ChunkedOutcome: Equatable {
        case done(body: [UInt8], consumed: Int)
        case incomplete
        case rejected(Int, String)
    }

    /// Feeds `input` split at each boundary in `cuts` (a cut list [] is the whole input at once).
    static func decodeChunked(_ input: [UInt8], cuts: [Int]) -> ChunkedOutcome {
        var decoder = ChunkedDecoder(limits: HTTPLimits())
        var body: [UInt8] = []
        var consumed = 0
        var bounds = cuts + [input.count]
        var start = 0
        while !bounds.isEmpty && !decoder.isDone {
            let end = bounds.removeFirst()
            let result = input[start..<end].withUnsafeBytes { buffer in
                Result { () throws(HTTPError) in try decoder.decode(buffer) { body.append(contentsOf: $0) } }
            }
            switch result {
            case .success(let n): consumed += n
            case .failure(let error): return .rejected(error.status.code, error.detail)
            }
            start = end
        }
        return decoder.isDone ? .done(body: body, consumed: consumed) : .incomplete
    }

    @Test func chunkedSeedsDecodeTheSameHoweverSplit() {
        let seeds = Self.seeds("FuzzChunked")
        #expect(seeds.count >= 4, "the chunked seed corpus is missing")
        for seed in seeds {
            let whole = Self.decodeChunked(seed, cuts: [])
            guard case .done(let body, _) = whole else {
                Issue.record("a seed must be a complete chunked body: \(whole)")
                continue
            }
            #expect(!body.isEmpty)
            for cut in 1..<seed.count {
                #expect(Self.decodeChunked(seed, cuts: [cut]) == whole, "split at \(cut)")
            }
            let bytewise = Self.decodeChunked(seed, cuts: Array(1..<seed.count))
            #expect(bytewise == whole, "one byte at a time")
        }
    }

    // MARK: multipart

    enum MultipartOutcome: Equatable {
        case parts([String], MultipartError?)
        case badContentType(MultipartError)
    }

    static func parseMultipart(_ seed: [UInt8], step: Int?) -> MultipartOutcome {
        guard let lf = seed.firstIndex(of: 0x0A) else { return .parts([], nil) }
        let contentType = String(decoding: seed[..<lf], as: UTF8.self)
        let body = Array(seed[(lf + 1)...])
        var parser: MultipartParser
        do throws(MultipartError) {
            parser = try MultipartParser(contentType: contentType)
        } catch {
            return .badContentType(error)
        }
        // Each part as "head|bytes", bytes merged across data events (their split may follow the input's).
        var parts: [String] = []
        var current: [UInt8] = []
        var head = ""
        let handler: (MultipartEvent) throws(MultipartError) -> Void = { event in
            switch event {
            case .partBegin(let h): head = h.description; current = []
            case .partData(let bytes): current.append(contentsOf: bytes)
            case .partEnd: parts.append(head + "|" + current.map { String($0) }.joined(separator: ","))
            }
        }
        do throws(MultipartError) {
            let size = step ?? max(1, body.count)
            var offset = 0
            while offset < body.count {
                let end = min(body.count, offset + size)
                try parser.feed(Array(body[offset..<end]), into: handler)
                offset = end
            }
            try parser.finish()
            return .parts(parts, nil)
        } catch {
            return .parts(parts, error)
        }
    }

    @Test func multipartSeedsParseTheSameHoweverSplit() {
        let seeds = Self.seeds("FuzzMultipart")
        #expect(seeds.count >= 4, "the multipart seed corpus is missing")
        var completeForms = 0
        for seed in seeds {
            let whole = Self.parseMultipart(seed, step: nil)
            if case .parts(let parts, nil) = whole, !parts.isEmpty { completeForms += 1 }
            for step in 1...64 {
                #expect(Self.parseMultipart(seed, step: step) == whole, "\(step)-byte pieces")
            }
        }
        #expect(completeForms >= 2, "the seeds should include complete forms with parts")
    }

    // MARK: request heads

    enum HeadOutcome: Equatable {
        case incomplete
        case rejected(Int, String)
        case parsed(Range<Int>, String, Int)
    }

    static func scanHead(_ bytes: [UInt8], cut: Int?) -> HeadOutcome {
        bytes.withUnsafeBytes { buffer in
            var scanner = HeadScanner()
            let limits = HTTPLimits()
            do throws(HTTPError) {
                var range: Range<Int>?
                if let cut { range = try scanner.scan(UnsafeRawBufferPointer(rebasing: buffer[..<cut]), limits: limits) }
                if range == nil { range = try scanner.scan(buffer, limits: limits) }
                guard let range else { return .incomplete }
                let head = try HTTPRequestHeadParser.parse(UnsafeRawBufferPointer(rebasing: buffer[range]), limits: limits)
                return .parsed(range, head.target, head.headers.count)
            } catch {
                return .rejected(error.status.code, error.detail)
            }
        }
    }

    @Test func requestHeadSeedsScanTheSameHoweverSplit() {
        let seeds = Self.seeds("FuzzRequestHead")
        #expect(seeds.count >= 6, "the request-head seed corpus is missing")
        var parsed = 0
        for seed in seeds {
            let whole = Self.scanHead(seed, cut: nil)
            if case .parsed = whole { parsed += 1 }
            for cut in 0...seed.count {
                #expect(Self.scanHead(seed, cut: cut) == whole, "split at \(cut)")
            }
        }
        #expect(parsed >= 6, "most head seeds are valid requests")
    }
}
