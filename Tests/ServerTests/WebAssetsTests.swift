import Foundation
import HTTPCore
import Testing
@testable import Server

/// The page the binary serves at `/` is web/ byte for byte, with the headers that keep it safe
/// (a strict CSP, nosniff) and cheap to revalidate (ETag, 304).
struct WebAssetsTests {
    static let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("web")

    static func file(_ name: String) throws -> String {
        try String(contentsOf: web.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func theEmbeddedCopyIsWebFolder() throws {
        let stale = "Sources/Server/Web/WebAssets.swift is stale: run `make web-assets`"
        #expect(WebAssets.indexHTML == (try Self.file("index.html")), "\(stale)")
        #expect(WebAssets.appJS == (try Self.file("app.js")), "\(stale)")
        #expect(WebAssets.styleCSS == (try Self.file("style.css")), "\(stale)")
    }

    @Test(arguments: [
        ("/", "text/html; charset=utf-8", "index.html"),
        ("/ui/app.js", "text/javascript; charset=utf-8", "app.js"),
        ("/ui/style.css", "text/css; charset=utf-8", "style.css"),
    ])
    func servedWithTypeAndSecurityHeaders(path: String, contentType: String, file: String) async throws {
        let responder = ServiceRoutes(corsOrigins: [], openConnections: { 0 }).responder()
        let response = try await responder.respond(to: HTTPRequest(method: .get, target: path))
        #expect(response.status.code == 200)
        #expect(response.headers["Content-Type"] == contentType)
        #expect(response.headers["X-Content-Type-Options"] == "nosniff")
        #expect(response.headers["Cache-Control"] == "no-cache")
        let csp = try #require(response.headers["Content-Security-Policy"])
        #expect(csp.contains("default-src 'self'"))
        #expect(csp.contains("img-src 'self' data: blob:"))
        #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"))
        guard case .bytes(let body) = response.body else { Issue.record("no body"); return }
        #expect(body == Array(try Self.file(file).utf8))
        #expect(response.headers["ETag"]?.hasPrefix("\"") == true)
    }

    @Test func revalidationWithTheETagGetsA304WithoutBody() async throws {
        let responder = ServiceRoutes(corsOrigins: [], openConnections: { 0 }).responder()
        let first = try await responder.respond(to: HTTPRequest(method: .get, target: "/ui/app.js"))
        let etag = try #require(first.headers["ETag"])
        let again = try await responder.respond(
            to: HTTPRequest(method: .get, target: "/ui/app.js", headers: ["If-None-Match": "\"other\", W/\(etag)"]))
        #expect(again.status == .notModified)
        #expect(again.headers["ETag"] == etag)
        #expect(again.body.knownLength == 0)
        let changed = try await responder.respond(
            to: HTTPRequest(method: .get, target: "/ui/app.js", headers: ["If-None-Match": "\"0000000000000000\""]))
        #expect(changed.status.code == 200)
    }

    /// Behind a reverse proxy under a prefix, only relative references keep working: nothing in
    /// the page may start at the root or leave the origin.
    @Test func thePageUsesOnlyRelativeSameOriginURLs() throws {
        for text in [WebAssets.indexHTML, WebAssets.appJS, WebAssets.styleCSS] {
            for pattern in [#"(src|href|action)\s*=\s*"/"#, #"fetch\(\s*["'`]/"#, #"https?://"#, #"url\(\s*["']?/"#] {
                #expect(text.range(of: pattern, options: .regularExpression) == nil, "found \(pattern)")
            }
        }
        #expect(WebAssets.indexHTML.contains(#"src="ui/app.js""#))
        #expect(WebAssets.indexHTML.contains(#"href="ui/style.css""#))
        #expect(WebAssets.appJS.contains(#"fetch("v1/adjust""#))
    }

    /// The CSP forbids inline script and style, so the markup must carry neither.
    @Test func theMarkupHasNoInlineScriptOrStyle() {
        let html = WebAssets.indexHTML
        #expect(html.range(of: #"<script(?![^>]*\bsrc=)[^>]*>"#, options: .regularExpression) == nil)
        #expect(!html.contains("<style"))
        #expect(html.range(of: #"\sstyle\s*="#, options: .regularExpression) == nil)
        #expect(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil)
    }
}
