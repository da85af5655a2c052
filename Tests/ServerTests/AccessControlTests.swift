import AdjustService
import Foundation
import HTTPCore
import Testing
@testable import Server

/// API keys: the file, the bucket arithmetic, and the routes with keys on (in process, tiny model).
struct AccessControlTests {
    static let defaults = APIKeyFile.Defaults(rate: RateLimit(perMinute: 120, burst: 20))

    static func keyFile(_ lines: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("semadjust-keys-\(UUID().uuidString)").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func theFileListsDigestsWithOptionalLimits() throws {
        let alice = APIKey.newSecret()
        let text = """
            # clients
            \(APIKeyFile.line(name: "alice", secret: alice)) rate=30/min burst=3

            \(APIKeyFile.line(name: "bob.ci", secret: "b"))   # the CI job
            """
        let keys = try APIKeyFile.parse(text, defaults: Self.defaults)
        #expect(keys.map(\.name) == ["alice", "bob.ci"])
        #expect(keys[0].rate == RateLimit(perMinute: 30, burst: 3))
        #expect(keys[1].rate == Self.defaults.rate)
        #expect(keys[0].digest == APIKey.digest(of: alice))
        #expect(!text.contains(alice), "the file never holds the key itself")
    }

    @Test func aBrokenLineIsNamed() {
        let cases: [(String, Int, String)] = [
            ("alice", 1, "expected a name"),
            ("alice sk_live_123", 1, "sha256:"),
            ("a\nalice sha256:\(String(repeating: "g", count: 64))", 1, "expected a name"),
            ("al ice sha256:\(String(repeating: "0", count: 64))", 1, "sha256:"),
            ("alice sha256:\(String(repeating: "0", count: 64)) rate=0/min", 1, "unknown option"),
            ("alice sha256:\(String(repeating: "0", count: 64))\nalice sha256:\(String(repeating: "1", count: 64))", 2, "used twice"),
            ("a sha256:\(String(repeating: "0", count: 64))\nb sha256:\(String(repeating: "0", count: 64))", 2, "listed twice"),
            ("al/ice sha256:\(String(repeating: "0", count: 64))", 1, "letters, digits"),
        ]
        for (text, line, reason) in cases {
            do {
                _ = try APIKeyFile.parse(text, defaults: Self.defaults)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.line == line, "\(text)")
                #expect(error.reason.contains(reason), "\(text): \(error.reason)")
            }
        }
    }

    @Test func newSecretsAreLongRandomAndURLSafe() {
        let a = APIKey.newSecret(), b = APIKey.newSecret()
        #expect(a != b)
        #expect(a.hasPrefix("sak_") && a.count == 4 + 43, "32 bytes are 43 base64url characters")
        #expect(a.utf8.allSatisfy { $0 == 95 || $0 == 45 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) })
        #expect(AccessControl.bearerToken("Bearer \(a)") == Substring(a))
        #expect(Base64URL.encode(Array("foob".utf8)) == "Zm9vYg")
        #expect(Base64URL.encode(Array("fooba".utf8)) == "Zm9vYmE")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
    }

    @Test func theBucketAdmitsTheBurstThenTheRate() {
        let t0 = ContinuousClock.now
        var bucket = TokenBucket(limit: RateLimit(perMinute: 60, burst: 3), now: t0)
        for _ in 0..<3 { #expect(bucket.take(at: t0) == nil) }
        let wait = bucket.take(at: t0)
        #expect(wait != nil && wait! > .milliseconds(990) && wait! <= .seconds(1), "one a second: \(String(describing: wait))")
        #expect(bucket.take(at: t0 + .milliseconds(500)) != nil)
        #expect(bucket.take(at: t0 + .milliseconds(1001)) == nil, "refilled")
        #expect(bucket.take(at: t0 + .seconds(100)) == nil)
        #expect(bucket.tokens <= 3, "never more than the burst")
    }

    @Test func bearerTokensAreParsedStrictly() {
        #expect(AccessControl.bearerToken("bearer abc") == "abc")
        #expect(AccessControl.bearerToken("Basic YTpi") == nil)
        #expect(AccessControl.bearerToken("Bearer") == nil)
        #expect(AccessControl.bearerToken("Bearer a b") == nil)
        #expect(AccessControl.bearerToken("Bearer " + String(repeating: "a", count: 600)) == nil)
        #expect(AccessControl.bearerToken(nil) == nil)
    }

    @Test func aChangedFileIsReloadedAndABrokenOneKeepsTheOldKeys() throws {
        let path = try Self.keyFile([APIKeyFile.line(name: "alice", secret: "one")])
        let store = try APIKeyStore(path: path, defaults: Self.defaults)
        #expect(store.authenticate("one")?.name == "alice")
        #expect(store.reloadIfChanged() == .unchanged)
        try Data((APIKeyFile.line(name: "bob", secret: "two") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(store.reloadIfChanged() == .reloaded(keys: 1))
        #expect(store.authenticate("one") == nil, "revoked")
        #expect(store.authenticate("two")?.name == "bob")
        try Data("bob sha256:nothex\n".utf8).write(to: URL(fileURLWithPath: path))
        guard case .failed(let reason) = store.reloadIfChanged() else { Issue.record("a broken file was taken"); return }
        #expect(reason.contains("line 1"))
        #expect(store.authenticate("two")?.name == "bob", "the keys in force stay")
    }

    // MARK: - Routes

    static func routes(keys: [String]) throws -> (some HTTPResponder, AdjustRoutes) {
        var adjust = AdjustRoutes(
            catalog: try AdjustRoutesTests.catalog(), workers: WorkerPool(workerCount: 1, queueCapacity: 4),
            cache: PhotoCache(byteBudget: 64 << 20), maxImageBytes: 1 << 20, queueDeadline: .seconds(5))
        adjust.access = AccessControl(keys: try APIKeyStore(path: try keyFile(keys), defaults: defaults))
        return (ServiceRoutes(corsOrigins: [], adjust: adjust, openConnections: { 0 }).responder(), adjust)
    }

    static func send(_ responder: some HTTPResponder, _ method: HTTPMethod = .post, _ target: String = "/v1/adjust",
                     key: String?, fields: [(name: String, filename: String?, body: [UInt8])] = []) async -> (Int, HTTPHeaders) {
        let (type, body) = AdjustRoutesTests.form(fields)
        var headers: HTTPHeaders = ["Content-Type": type, "Accept": "image/jpeg"]
        if let key { headers.add("Authorization", "Bearer \(key)") }
        do {
            let response = try await responder.respond(to: HTTPRequest(method: method, target: target, headers: headers, body: .bytes(body)))
            return (response.status.code, response.headers)
        } catch let error as HTTPError {
            return (error.status.code, error.headers)
        } catch {
            return (-1, HTTPHeaders())
        }
    }

    @Test func withKeysOnAStrangerGets401AndAKeyGetsIn() async throws {
        let (responder, _) = try Self.routes(keys: [APIKeyFile.line(name: "alice", secret: "s3cret")])
        let photo = [("image", "p.jpg", try AdjustRoutesTests.photo())] as [(name: String, filename: String?, body: [UInt8])]
        let (none, noneHeaders) = await Self.send(responder, key: nil, fields: photo)
        #expect(none == 401)
        #expect(noneHeaders["WWW-Authenticate"] == "Bearer realm=\"semadjust\"")
        let (wrong, wrongHeaders) = await Self.send(responder, key: "s3cre7", fields: photo)
        #expect(wrong == 401)
        #expect(wrongHeaders["WWW-Authenticate"]?.contains("invalid_token") == true)
        let (ok, okHeaders) = await Self.send(responder, key: "s3cret", fields: photo)
        #expect(ok == 200)
        #expect(okHeaders["X-Image-Id"] != nil)
        let (health, _) = await Self.send(responder, .get, "/healthz", key: nil)
        #expect(health == 200, "probes need no key")
    }

    @Test func aKeyOverItsLimitGets429WithRetryAfter() async throws {
        let (responder, _) = try Self.routes(keys: [APIKeyFile.line(name: "ci", secret: "k") + " rate=6/min burst=2"])
        var statuses: [Int] = []
        var retryAfter: String?
        for _ in 0..<3 {
            // An empty form: admitted requests fail with 400 after the limit check, refused ones 429.
            let (status, headers) = await Self.send(responder, key: "k")
            statuses.append(status)
            if status == 429 { retryAfter = headers["Retry-After"] }
        }
        #expect(statuses == [400, 400, 429])
        #expect(retryAfter.flatMap(Int.init).map { (1...10).contains($0) } == true, "a token every 10 s: \(String(describing: retryAfter))")
    }

    @Test func aPhotoBelongsToTheKeyThatSentItAndCanBeDeleted() async throws {
        let (responder, adjust) = try Self.routes(keys: [APIKeyFile.line(name: "alice", secret: "a"), APIKeyFile.line(name: "bob", secret: "b")])
        let (status, headers) = await Self.send(responder, key: "a", fields: [("image", "p.jpg", try AdjustRoutesTests.photo())])
        #expect(status == 200)
        let id = try #require(headers["X-Image-Id"])
        let rerender = [("image_id", nil, Array(id.utf8))] as [(name: String, filename: String?, body: [UInt8])]
        #expect(await Self.send(responder, key: "b", fields: rerender).0 == 404, "another key does not find it")
        #expect(await Self.send(responder, .delete, "/v1/images/\(id)", key: "b").0 == 404, "nor delete it")
        #expect(await Self.send(responder, key: "a", fields: rerender).0 == 200)
        #expect(await Self.send(responder, .delete, "/v1/images/\(id)", key: nil).0 == 401)
        #expect(await Self.send(responder, .delete, "/v1/images/\(id)", key: "a").0 == 204)
        #expect(await Self.send(responder, .delete, "/v1/images/\(id)", key: "a").0 == 404, "gone")
        #expect(await Self.send(responder, key: "a", fields: rerender).0 == 404)
        #expect(await Self.send(responder, .delete, "/v1/images/not-an-id", key: "a").0 == 400)
        #expect(adjust.cache.statistics.entries == 0)
    }
}
