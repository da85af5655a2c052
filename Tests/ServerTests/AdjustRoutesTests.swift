import AdjustService
import Foundation
import HTTPCore
import Imaging
import Testing
@testable import Server

/// `/v1/adjust` and friends in process, on the reduced-configuration model of the engine's
/// parity fixtures (random weights: these check the HTTP contract, not the retouching).
struct AdjustRoutesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("InferenceTests/Fixtures")

    /// A models folder holding the tiny head (as style "tiny") and a file that is not a model.
    static func catalog() throws -> StyleCatalog {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semadjust-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("tiny-model.safetensors"), to: folder.appendingPathComponent("tiny.safetensors"))
        try Data("not a model".utf8).write(to: folder.appendingPathComponent("broken.safetensors"))
        return StyleCatalog(modelsDirectory: folder.path, trunkPath: fixtures.appendingPathComponent("tiny-trunk.safetensors").path, threadsPerJob: 2)
    }

    static func responder(queue: Int = 4) throws -> some HTTPResponder {
        let adjust = AdjustRoutes(
            catalog: try catalog(), workers: WorkerPool(workerCount: 1, queueCapacity: queue),
            cache: PhotoCache(byteBudget: 64 << 20), maxImageBytes: 1 << 20, queueDeadline: .seconds(5))
        return ServiceRoutes(corsOrigins: [], adjust: adjust, openConnections: { 0 }).responder()
    }

    static func photo() throws -> [UInt8] {
        var pixels = [UInt8](repeating: 90, count: 64 * 48 * 3)
        for i in 0..<(64 * 48) {
            pixels[3 * i] = UInt8((i % 64) * 4)
            pixels[3 * i + 1] = UInt8((i / 64) * 5)
        }
        return try JPEGEncoder().encode(RGBImage(width: 64, height: 48, pixels: pixels))
    }

    static func form(_ fields: [(name: String, filename: String?, body: [UInt8])]) -> (String, [UInt8]) {
        var body: [UInt8] = []
        for field in fields {
            let filename = field.filename.map { "; filename=\"\($0)\"" } ?? ""
            body += Array("--XyZ\r\nContent-Disposition: form-data; name=\"\(field.name)\"\(filename)\r\n\r\n".utf8)
            body += field.body + Array("\r\n".utf8)
        }
        body += Array("--XyZ--\r\n".utf8)
        return ("multipart/form-data; boundary=XyZ", body)
    }

    static func post(_ responder: some HTTPResponder, _ fields: [(name: String, filename: String?, body: [UInt8])], accept: String? = nil) async throws -> HTTPResponse {
        let (type, body) = form(fields)
        var headers: HTTPHeaders = ["Content-Type": type]
        if let accept { headers.add("Accept", accept) }
        return try await responder.respond(to: HTTPRequest(method: .post, target: "/v1/adjust", headers: headers, body: .bytes(body)))
    }

    /// An upload that does not fit the budget of bodies held at once is refused before its body is
    /// read: 503 with Retry-After, and the next one gets in once the budget has room again.
    @Test func uploadsOverTheBudgetAreRefusedBeforeTheirBodyIsRead() async throws {
        var adjust = AdjustRoutes(
            catalog: try Self.catalog(), workers: WorkerPool(workerCount: 1, queueCapacity: 4),
            cache: PhotoCache(byteBudget: 64 << 20), maxImageBytes: 1 << 20, queueDeadline: .seconds(5))
        adjust.uploads = UploadBudget(bytes: 1 << 20)
        let responder = ServiceRoutes(corsOrigins: [], adjust: adjust, openConnections: { 0 }).responder()
        let (type, body) = Self.form([("image", "p.jpg", try Self.photo())])
        let held = try #require(adjust.uploads.reserve(1 << 20))  // another upload holds the whole budget
        do {
            _ = try await responder.respond(to: HTTPRequest(
                method: .post, target: "/v1/adjust", headers: ["Content-Type": type, "Content-Length": String(body.count)],
                body: .bytes(body)))
            Issue.record("an upload over the budget was accepted")
        } catch let error as HTTPError {
            #expect(error.status == .serviceUnavailable && error.headers["Retry-After"] == "1")
            #expect(error.detail.contains("uploads"))
        }
        held.release()
        let response = try await Self.post(responder, [("image", "p.jpg", try Self.photo())])
        #expect(response.status.code == 200)
        #expect(adjust.uploads.inUse == 0, "every reservation is given back")
    }

    /// A page on another origin can read every header of a JPEG answer that is not a plain HTTP one
    /// (its image id above all: the re-render loop starts from it).
    @Test func crossOriginPagesMayReadTheAnswersHeaders() async throws {
        let adjust = AdjustRoutes(
            catalog: try Self.catalog(), workers: WorkerPool(workerCount: 1, queueCapacity: 4),
            cache: PhotoCache(byteBudget: 64 << 20), maxImageBytes: 1 << 20, queueDeadline: .seconds(5))
        let responder = ServiceRoutes(corsOrigins: ["https://front.example"], adjust: adjust, openConnections: { 0 }).responder()
        let (type, body) = Self.form([("image", "p.jpg", try Self.photo())])
        let response = try await responder.respond(to: HTTPRequest(
            method: .post, target: "/v1/adjust", headers: ["Content-Type": type, "Origin": "https://front.example"], body: .bytes(body)))
        #expect(response.status.code == 200)
        #expect(response.headers["Access-Control-Allow-Origin"] == "https://front.example")
        let exposed = Set((response.headers["Access-Control-Expose-Headers"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        })
        let plain: Set<String> = ["content-type", "content-length", "vary", "access-control-allow-origin",
                                  "access-control-expose-headers", "cache-control"]
        let carried = Set(response.headers.map { $0.name.lowercased() }).subtracting(plain)
        #expect(carried.contains("x-image-id"))
        #expect(response.headers["Cache-Control"] == "no-store", "an answer with a user's photo is not cached")
        #expect(carried.isSubset(of: exposed), "not exposed: \(carried.subtracting(exposed).sorted())")
    }

    static func status(of work: () async throws -> HTTPResponse) async -> (Int, String) {
        do {
            let response = try await work()
            return (response.status.code, "")
        } catch let error as HTTPError {
            return (error.status.code, error.detail)
        } catch {
            return (-1, "\(error)")
        }
    }

    @Test func catalogLoadsModelsAndSkipsBrokenFiles() throws {
        let catalog = try Self.catalog()
        #expect(catalog.ids == ["tiny"])
        #expect(catalog.defaultStyle?.id == "tiny")
        #expect(catalog.skipped.map(\.file) == ["broken.safetensors"])
    }

    @Test func defaultAnswerIsTheJPEGWithMapMetadataInHeaders() async throws {
        let responder = try Self.responder()
        let response = try await Self.post(responder, [("image", "photo.jpg", try Self.photo())])
        #expect(response.status.code == 200)
        #expect(response.headers["Content-Type"] == "image/jpeg")
        #expect(response.headers["X-Style"] == "tiny")
        #expect(response.headers["X-Map-K"] == "2")
        #expect(response.headers["Server-Timing"]?.contains("context;dur=") == true)
        guard case .bytes(let jpeg) = response.body else { Issue.record("no body"); return }
        let decoded = try ImageDecoder().decode(jpeg).image
        #expect(decoded.width == 64 && decoded.height == 48)
    }

    @Test func jsonAnswerCarriesImageAndEditableMap() async throws {
        let responder = try Self.responder()
        let response = try await Self.post(responder, [("image", "p.jpg", try Self.photo()), ("style", nil, Array("tiny".utf8))], accept: "application/json")
        #expect(response.headers["Content-Type"] == "application/json")
        guard case .bytes(let body) = response.body,
              let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            Issue.record("not JSON"); return
        }
        #expect(json["K"] as? Int == 2)
        #expect((json["coverage"] as? [Double])?.reduce(0, +) ?? 0 > 0.999)
        let map = try #require(Data(base64Encoded: json["map"] as? String ?? ""))
        let decodedMap = try PNGDecoder().decode([UInt8](map)).image
        #expect(decodedMap.width == 64 && decodedMap.height == 48)
        // The map sent back is accepted as a user map: the personalisation loop closes.
        let again = try await Self.post(responder, [("image", "p.jpg", try Self.photo()), ("map", "map.png", [UInt8](map))], accept: "application/json")
        #expect(again.status.code == 200)
    }

    @Test func badRequestsGetPreciseStatuses() async throws {
        let responder = try Self.responder()
        let photo = try Self.photo()
        let wrongK = try PNGEncoder().encode(pixels: [UInt8](repeating: 3, count: 16), width: 4, height: 4, channels: 1)
        let cases: [(String, [(name: String, filename: String?, body: [UInt8])], String?, Int, String)] = [
            ("no image", [("style", nil, Array("tiny".utf8))], nil, 400, "no 'image' field"),
            ("unknown field", [("image", "p.jpg", photo), ("picture", "p.jpg", photo)], nil, 400, "unknown form field 'picture'"),
            ("unknown style", [("image", "p.jpg", photo), ("style", nil, Array("sepia".utf8))], nil, 422, "unknown style 'sepia'; available: tiny"),
            ("corrupt image", [("image", "p.jpg", Array(photo.prefix(100)))], nil, 422, "could not be decoded"),
            ("not an image", [("image", "p.txt", Array("hello".utf8))], nil, 415, "could not be decoded"),
            ("wrong K map", [("image", "p.jpg", photo), ("map", "m.png", wrongK)], nil, 422, "K = 2"),
            ("bad quality", [("image", "p.jpg", photo), ("quality", nil, Array("high".utf8))], nil, 400, "quality"),
            ("quality out of range", [("image", "p.jpg", photo), ("quality", nil, Array("0".utf8))], nil, 422, "between 1 and 100"),
            ("unacceptable Accept", [("image", "p.jpg", photo)], "text/html", 406, "image/jpeg, image/png, image/webp, image/avif, application/json or multipart/mixed"),
        ]
        for (name, fields, accept, status, detail) in cases {
            let (code, message) = await Self.status { try await Self.post(responder, fields, accept: accept) }
            #expect(code == status, "\(name): \(message)")
            #expect(message.contains(detail), "\(name): \(message)")
        }
    }

    @Test func stylesAndReadiness() async throws {
        let responder = try Self.responder()
        let ready = try await responder.respond(to: HTTPRequest(method: .get, target: "/readyz"))
        #expect(ready.status.code == 200)
        if case .bytes(let text) = ready.body { #expect(String(decoding: text, as: UTF8.self) == "ready: tiny\n") }
        let styles = try await responder.respond(to: HTTPRequest(method: .get, target: "/v1/styles"))
        guard case .bytes(let body) = styles.body else { Issue.record("no body"); return }
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains(#""id":"tiny""#) && text.contains(#""K":2"#) && text.contains(#""presets":["p0","p1"]"#))

        let empty = ServiceRoutes(
            corsOrigins: [],
            adjust: AdjustRoutes(catalog: StyleCatalog(styles: []), workers: WorkerPool(workerCount: 1, queueCapacity: 1),
                                 cache: PhotoCache(byteBudget: 1 << 20), maxImageBytes: 1 << 20, queueDeadline: .seconds(1)),
            openConnections: { 0 }).responder()
        let (code, _) = await Self.status { try await empty.respond(to: HTTPRequest(method: .get, target: "/readyz")) }
        #expect(code == 503)
    }
}

/// After a first answer the idle workers render the photo's other presets into the cache; with
/// `prerendersAlternatives` off they do not.
struct AdjustRoutesAlternativesTests {
    static func firstAnswer(prerenders: Bool) async throws -> (AdjustRoutes, ImageID) {
        let routes = AdjustRoutes(
            catalog: try AdjustRoutesTests.catalog(), workers: WorkerPool(workerCount: 1, queueCapacity: 4),
            cache: PhotoCache(byteBudget: 64 << 20), maxImageBytes: 1 << 20, queueDeadline: .seconds(5),
            prerendersAlternatives: prerenders)
        let (type, body) = AdjustRoutesTests.form([("image", "p.jpg", try AdjustRoutesTests.photo())])
        let request = HTTPRequest(method: .post, target: "/v1/adjust",
                                  headers: ["Content-Type": type, "Accept": "application/json"], body: .bytes(body))
        let (response, _) = try await routes.adjust(request)
        guard case .bytes(let bytes) = response.body,
              let json = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let id = (json["image_id"] as? String).flatMap({ ImageID($0) }) else {
            throw HTTPError(.internalServerError, detail: "no image_id in the answer")
        }
        return (routes, id)
    }

    @Test func idleWorkersMakeTheAlternatives() async throws {
        let (routes, id) = try await Self.firstAnswer(prerenders: true)
        let pipeline = try #require(routes.styles.current.style("tiny")).pipeline
        let deadline = ContinuousClock.now + .seconds(60)
        while routes.workers.idleStatistics.completed < 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let photo = try #require(routes.cache.peek(id))
        #expect(!pipeline.wantsAlternatives(photo), "the cached photo should now hold its alternatives")
        routes.workers.shutdown()
    }

    /// Through the public routes: a re-render after the idle work copies its pixels, and /metrics
    /// says so.
    @Test func metricsCountCopiedRerendersAndIdleWork() async throws {
        let adjust = AdjustRoutes(
            catalog: try AdjustRoutesTests.catalog(), workers: WorkerPool(workerCount: 1, queueCapacity: 4),
            cache: PhotoCache(byteBudget: 64 << 20), maxImageBytes: 1 << 20, queueDeadline: .seconds(5))
        defer { adjust.workers.shutdown() }
        let responder = ServiceRoutes(corsOrigins: [], adjust: adjust, openConnections: { 0 }).responder()
        let first = try await AdjustRoutesTests.post(responder, [("image", "p.jpg", try AdjustRoutesTests.photo())],
                                                     accept: "application/json")
        guard case .bytes(let body) = first.body,
              let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let id = json["image_id"] as? String else {
            Issue.record("no image_id"); return
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while adjust.workers.idleStatistics.completed < 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let labels = (0..<(64 * 48)).map { UInt8($0 % 64 < 20 ? 1 : 0) }
        let map = try PNGEncoder().encode(pixels: labels, width: 64, height: 48, channels: 1)
        let again = try await AdjustRoutesTests.post(responder, [("image_id", nil, Array(id.utf8)), ("map", "m.png", map)])
        #expect(again.status == .ok)
        let metrics = try await responder.respond(to: HTTPRequest(method: .get, target: "/metrics"))
        guard case .bytes(let text) = metrics.body else { Issue.record("no metrics body"); return }
        let page = String(decoding: text, as: UTF8.self)
        #expect(page.contains(#"semadjust_rerender_requests_total{pixels="copied"} 1"#))
        #expect(page.contains("semadjust_idle_work_finished_total 1"))
        #expect(page.contains("# TYPE semadjust_idle_work_finished_total counter"))
        #expect(page.contains("semadjust_idle_work_waiting 0"))
    }

    @Test func offMeansNoIdleWork() async throws {
        let (routes, id) = try await Self.firstAnswer(prerenders: false)
        try await Task.sleep(for: .milliseconds(200))
        let pipeline = try #require(routes.styles.current.style("tiny")).pipeline
        #expect(routes.workers.idleStatistics == (0, 0, 0))
        #expect(pipeline.wantsAlternatives(try #require(routes.cache.peek(id))))
        routes.workers.shutdown()
    }
}

/// A style reloaded from a new file while its photos sit in the cache: their re-renders answer 404
/// (send the image again) rather than mixing the old model's context with the new model's head.
struct AdjustRoutesReloadTests {
    @Test func aReloadedStyleDoesNotReRenderPhotosOfTheOldModel() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reload-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = AdjustRoutesTests.fixtures.appendingPathComponent("tiny-model.safetensors")
        try FileManager.default.copyItem(at: model, to: folder.appendingPathComponent("tiny.safetensors"))
        let styles = LiveStyleCatalog(folder: ModelFolder(
            path: folder.path, trunkOverride: AdjustRoutesTests.fixtures.appendingPathComponent("tiny-trunk.safetensors").path, threadsPerJob: 1))
        let routes = AdjustRoutes(styles: styles, workers: WorkerPool(workerCount: 1, queueCapacity: 4),
                                  cache: PhotoCache(byteBudget: 64 << 20), maxImageBytes: 1 << 20, queueDeadline: .seconds(5),
                                  prerendersAlternatives: false)
        let responder = ServiceRoutes(corsOrigins: [], adjust: routes, openConnections: { 0 }).responder()
        let first = try await AdjustRoutesTests.post(responder, [("image", "p.jpg", try AdjustRoutesTests.photo())], accept: "application/json")
        guard case .bytes(let bytes) = first.body,
              let json = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let id = json["image_id"] as? String else {
            Issue.record("no image_id in the first answer"); return
        }
        let again = try await AdjustRoutesTests.post(responder, [("image_id", nil, Array(id.utf8))])
        #expect(again.status == .ok, "before the reload the cached photo re-renders")

        // The same file written anew (a new inode and time): the style is reloaded.
        let next = folder.appendingPathComponent(".tiny.partial")
        try FileManager.default.copyItem(at: model, to: next)
        #expect(rename(next.path, folder.appendingPathComponent("tiny.safetensors").path) == 0)
        #expect(styles.reload(waitForQuiet: false).replaced == ["tiny"])
        do {
            let after = try await AdjustRoutesTests.post(responder, [("image_id", nil, Array(id.utf8))])
            Issue.record("a re-render across the reload answered \(after.status)")
        } catch let error as HTTPError {
            #expect(error.status == .notFound)
            #expect(error.detail.contains("reloaded from a new model file"), "\(error.detail)")
        }
        let fresh = try await AdjustRoutesTests.post(responder, [("image", "p.jpg", try AdjustRoutesTests.photo())])
        #expect(fresh.status == .ok, "a new upload runs on the new model")
    }
}
