import AdjustService
import Foundation
import HTTPCore
import Imaging
import Testing
@testable import Server

/// The formats in and out of `POST /v1/adjust`, `strength`, and a photo posted as the body, in
/// process on the tiny parity model (random weights: the HTTP and format contract, not the look).
struct FormatRoutesTests {
    static let formats = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ImagingTests/Fixtures/formats")

    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: formats.appendingPathComponent(name)))
    }

    static func body(_ response: HTTPResponse) async throws -> [UInt8] {
        guard case .bytes(let bytes) = response.body else {
            Issue.record("the answer has no byte body")
            return []
        }
        return bytes
    }

    @Test(arguments: ["photo.heic", "display-p3.heic", "lossy.webp", "alpha.webp", "photo.avif", "tenbit.avif", "rgb.tif", "rgb16.tif"])
    func everyInputFormatIsAdjusted(_ file: String) async throws {
        let responder = try AdjustRoutesTests.responder()
        let photo = try Self.fixture(file)
        let response = try await AdjustRoutesTests.post(responder, [("image", "upload.bin", photo)])
        #expect(response.status.code == 200, "\(file)")
        #expect(response.headers["Content-Type"] == "image/jpeg")
        let output = try ImageDecoder().decode(try await Self.body(response))
        let input = try ImageDecoder().decode(photo)
        #expect(output.image.width == input.image.width && output.image.height == input.image.height)
    }

    @Test(arguments: [("image/webp", "image/webp", ImageFormat.webp), ("image/avif", "image/avif", .avif), ("image/png", "image/png", .png),
                      ("image/webp;q=0.5, image/avif;q=0.9", "image/avif", .avif), ("image/png, image/*;q=0.1", "image/png", .png),
                      ("image/*", "image/jpeg", .jpeg), ("text/html, image/webp;q=0.2", "image/webp", .webp)])
    func acceptChoosesTheImageFormat(_ accept: String, _ type: String, _ format: ImageFormat) async throws {
        let responder = try AdjustRoutesTests.responder()
        let response = try await AdjustRoutesTests.post(responder, [("image", "p.jpg", try AdjustRoutesTests.photo())], accept: accept)
        #expect(response.status.code == 200)
        #expect(response.headers["Content-Type"] == type, "Accept: \(accept)")
        let bytes = try await Self.body(response)
        #expect(bytes.withUnsafeBytes { ImageFormat.sniff($0) } == format, "the body is what Content-Type says")
        #expect(response.headers["Vary"] == "Accept")
    }

    @Test func theFormatFieldDecidesAndAcceptMustAdmitIt() async throws {
        let responder = try AdjustRoutesTests.responder()
        let photo = try AdjustRoutesTests.photo()
        let lossless = try await AdjustRoutesTests.post(responder, [("image", "p.jpg", photo), ("format", nil, Array("webp-lossless".utf8))])
        #expect(lossless.headers["Content-Type"] == "image/webp")
        let bytes = try await Self.body(lossless)
        // VP8L, the lossless bitstream, behind the RIFF header.
        #expect(Array(bytes[12..<16]) == Array("VP8L".utf8))

        let json = try await AdjustRoutesTests.post(responder, [("image", "p.jpg", photo), ("format", nil, Array("avif".utf8))],
                                                    accept: "application/json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try await Self.body(json))) as? [String: Any])
        #expect(object["image_type"] as? String == "image/avif" && object["format"] as? String == "avif")
        let image = [UInt8](try #require(Data(base64Encoded: object["image"] as? String ?? "")))
        #expect(image.withUnsafeBytes { ImageFormat.sniff($0) } == .avif)

        let (status, detail) = await AdjustRoutesTests.status {
            try await AdjustRoutesTests.post(responder, [("image", "p.jpg", photo), ("format", nil, Array("png".utf8))], accept: "image/webp")
        }
        #expect(status == 406 && detail.contains("image/png"), "\(detail)")
        let (badStatus, badDetail) = await AdjustRoutesTests.status {
            try await AdjustRoutesTests.post(responder, [("image", "p.jpg", photo), ("format", nil, Array("gif".utf8))])
        }
        #expect(badStatus == 400 && badDetail.contains("webp-lossless"), "\(badDetail)")
    }

    @Test func multipartMixedCarriesTheChosenFormat() async throws {
        let responder = try AdjustRoutesTests.responder()
        let response = try await AdjustRoutesTests.post(
            responder, [("image", "p.jpg", try AdjustRoutesTests.photo()), ("format", nil, Array("webp".utf8))], accept: "multipart/mixed")
        let text = String(decoding: try await Self.body(response), as: UTF8.self)
        #expect(text.contains("Content-Type: image/webp") && text.contains("filename=\"adjusted.webp\""))
    }

    /// strength 0 gives the input's colours back (within JPEG's rounding), 1 the full effect, and a
    /// re-render of the cached photo at another strength renders it anew (no trunk).
    @Test func strengthScalesTheAdjustment() async throws {
        let responder = try AdjustRoutesTests.responder()
        let photo = try Self.fixture("rgb.tif")
        let input = try ImageDecoder().decode(photo).image
        func meanChange(_ strength: String, id: String? = nil) async throws -> (Double, String?) {
            var fields: [(name: String, filename: String?, body: [UInt8])] = [("strength", nil, Array(strength.utf8)), ("format", nil, Array("png".utf8))]
            fields.append(id.map { ("image_id", nil, Array($0.utf8)) } ?? ("image", "p.tif", photo))
            let response = try await AdjustRoutesTests.post(responder, fields)
            #expect(response.status.code == 200)
            let output = try ImageDecoder().decode(try await Self.body(response)).image
            let change = zip(output.pixels, input.pixels).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(input.pixels.count)
            return (change, response.headers["X-Image-Id"])
        }
        let (none, id) = try await meanChange("0")
        let (half, _) = try await meanChange("0.5")
        let (full, _) = try await meanChange("1")
        #expect(none < 0.5, "strength 0 returns the input (PNG: only the Lab round trip), mean |Δ| \(none)")
        #expect(full > 3 && half > full * 0.3 && half < full * 0.7, "none \(none), half \(half), full \(full)")
        let (again, _) = try await meanChange("0", id: try #require(id))
        #expect(again < 0.5, "a re-render at strength 0 of a photo first rendered at 1")
        let (status, detail) = await AdjustRoutesTests.status {
            try await AdjustRoutesTests.post(responder, [("image", "p.tif", photo), ("strength", nil, Array("1.5".utf8))])
        }
        #expect(status == 422 && detail.contains("strength"), "\(detail)")
    }

    @Test func aPhotoPostedAsTheBodyWithOptionsInTheQuery() async throws {
        let responder = try AdjustRoutesTests.responder()
        let photo = try Self.fixture("photo.heic")
        let response = try await responder.respond(to: HTTPRequest(
            method: .post, target: "/v1/adjust?style=tiny&strength=0.6&format=webp", headers: ["Content-Type": "image/heic"],
            body: .bytes(photo)))
        #expect(response.status.code == 200)
        #expect(response.headers["Content-Type"] == "image/webp" && response.headers["X-Style"] == "tiny")
        // The media type is not trusted: the bytes decide (a HEIC labelled image/jpeg still decodes).
        let mislabelled = try await responder.respond(to: HTTPRequest(
            method: .post, target: "/v1/adjust", headers: ["Content-Type": "image/jpeg"], body: .bytes(photo)))
        #expect(mislabelled.status.code == 200)

        for (target, type, body, expected, words) in [
            ("/v1/adjust?image_id=00", "image/jpeg", photo, 400, "image_id"),
            ("/v1/adjust?quality=high", "image/jpeg", photo, 400, "quality"),
            ("/v1/adjust", "text/plain", photo, 415, "multipart/form-data"),
            ("/v1/adjust", "image/png", [UInt8](), 400, "empty"),
            ("/v1/adjust", "image/png", Array("GIF89a....".utf8), 415, "none of"),
        ] as [(String, String, [UInt8], Int, String)] {
            let (status, detail) = await AdjustRoutesTests.status {
                try await responder.respond(to: HTTPRequest(method: .post, target: target, headers: ["Content-Type": type], body: .bytes(body)))
            }
            #expect(status == expected && detail.contains(words), "\(target) \(type): \(status) \(detail)")
        }
        // Beside a form the query's options apply too; one given both ways must agree.
        let (type, form) = AdjustRoutesTests.form([("image", "p.heic", photo), ("style", nil, Array("tiny".utf8))])
        let agreeing = try await responder.respond(to: HTTPRequest(
            method: .post, target: "/v1/adjust?style=tiny&format=png", headers: ["Content-Type": type], body: .bytes(form)))
        #expect(agreeing.status.code == 200 && agreeing.headers["Content-Type"] == "image/png")
        let (status, detail) = await AdjustRoutesTests.status {
            try await responder.respond(to: HTTPRequest(method: .post, target: "/v1/adjust?style=xpro", headers: ["Content-Type": type], body: .bytes(form)))
        }
        #expect(status == 400 && detail.contains("different values"), "\(detail)")
    }

    @Test func anAnimatedWebPIsRefusedAsUnsupported() async throws {
        let responder = try AdjustRoutesTests.responder()
        let (status, detail) = await AdjustRoutesTests.status {
            try await AdjustRoutesTests.post(responder, [("image", "a.webp", try Self.fixture("animated.webp"))])
        }
        #expect(status == 415 && detail.contains("animation"), "\(detail)")
    }
}

/// `--max-pixels`, `--max-side` and `--max-upload-bytes`: parsed and checked by `serve`, applied by
/// the catalog's pipelines and the routes.
struct UploadLimitOptionsTests {
    @Test func limitsAreOptionsWithCheckedValues() throws {
        let serve = try ServeCommand.parse(["--max-pixels", "1000", "--max-side", "300", "--max-upload-bytes", "4096"])
        #expect(serve.maxPixels == 1000 && serve.maxSide == 300 && serve.maxUploadBytes == 4096)
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--max-upload-bytes", "100", "--max-body-bytes", "50"]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--max-pixels", "0"]) }
        let defaults = try ServeCommand.parse([])
        #expect(defaults.maxPixels == 50_000_000 && defaults.maxSide == 20_000 && defaults.maxUploadBytes == 60 << 20)
        // A smaller body limit alone narrows the upload limit with it rather than failing.
        #expect(try ServeCommand.parse(["--max-body-bytes", "8388608"]).maxUploadBytes == 8 << 20)
    }

    @Test func aPhotoOverTheConfiguredLimitsIs413() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semadjust-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: AdjustRoutesTests.fixtures.appendingPathComponent("tiny-model.safetensors"),
                                         to: folder.appendingPathComponent("tiny.safetensors"))
        let trunk = AdjustRoutesTests.fixtures.appendingPathComponent("tiny-trunk.safetensors").path
        func responder(_ limits: PhotoSizeLimits, uploadBytes: Int = 1 << 20) -> some HTTPResponder {
            let catalog = StyleCatalog(modelsDirectory: folder.path, trunkPath: trunk, threadsPerJob: 1, limits: limits)
            let adjust = AdjustRoutes(catalog: catalog, workers: WorkerPool(workerCount: 1, queueCapacity: 2),
                                      cache: PhotoCache(byteBudget: 8 << 20), maxImageBytes: uploadBytes, queueDeadline: .seconds(5))
            return ServiceRoutes(corsOrigins: [], adjust: adjust, openConnections: { 0 }).responder()
        }
        let photo = try AdjustRoutesTests.photo()  // 64x48
        for (limits, words) in [(PhotoSizeLimits(maxPixels: 3000), "the limit is 3000"), (PhotoSizeLimits(maxSide: 50), "no side may exceed 50")] {
            let (status, detail) = await AdjustRoutesTests.status { try await AdjustRoutesTests.post(responder(limits), [("image", "p.jpg", photo)]) }
            #expect(status == 413 && detail.contains(words), "\(detail)")
        }
        let (status, _) = await AdjustRoutesTests.status {
            try await AdjustRoutesTests.post(responder(.standard, uploadBytes: photo.count - 1), [("image", "p.jpg", photo)])
        }
        #expect(status == 413)
        let ok = try await AdjustRoutesTests.post(responder(PhotoSizeLimits(maxPixels: 64 * 48, maxSide: 64)), [("image", "p.jpg", photo)])
        #expect(ok.status.code == 200)
    }
}
