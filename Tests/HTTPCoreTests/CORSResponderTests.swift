import HTTPCore
import Testing

struct CORSResponderTests {
    static func responder(_ origins: CORSPolicy.Origins) -> CORSResponder<Router> {
        var router = Router()
        router.get("/hello") { _ in .text("hello") }
        router.post("/fail") { _ in throw HTTPError(.unprocessableContent, detail: "bad map") }
        return CORSResponder(router, policy: CORSPolicy(origins: origins))
    }

    @Test func allowedOriginCanReadAnswersAndErrors() async throws {
        let cors = Self.responder(.list(["https://app.example"]))
        let ok = try await cors.respond(to: HTTPRequest(method: .get, target: "/hello", headers: ["Origin": "https://app.example"]))
        #expect(ok.headers["Access-Control-Allow-Origin"] == "https://app.example")
        #expect(ok.headers["Access-Control-Expose-Headers"]?.contains("X-Request-Id") == true)
        #expect(ok.headers["Vary"] == "Origin")
        let failed = try await cors.respond(to: HTTPRequest(method: .post, target: "/fail", headers: ["Origin": "https://app.example"]))
        #expect(failed.status.code == 422)
        #expect(failed.headers["Access-Control-Allow-Origin"] == "https://app.example")
    }

    @Test func otherOriginGetsNoAllowHeader() async throws {
        let cors = Self.responder(.list(["https://app.example"]))
        let response = try await cors.respond(to: HTTPRequest(method: .get, target: "/hello", headers: ["Origin": "https://evil.example"]))
        #expect(response.headers["Access-Control-Allow-Origin"] == nil)
        #expect(response.status.code == 200)
    }

    @Test func preflightIsAnsweredWithTheRequestedHeadersThatAreAllowed() async throws {
        let cors = Self.responder(.any)
        let response = try await cors.respond(to: HTTPRequest(method: .options, target: "/hello", headers: [
            "Origin": "https://anyone.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-secret",
        ]))
        #expect(response.status.code == 204)
        #expect(response.headers["Access-Control-Allow-Origin"] == "*")
        #expect(response.headers["Access-Control-Allow-Methods"]?.contains("POST") == true)
        #expect(response.headers["Access-Control-Allow-Headers"] == "content-type")
        #expect(response.headers["Access-Control-Max-Age"] == "600")
    }

    @Test func preflightForADisallowedMethodIsRefused() async throws {
        let cors = Self.responder(.any)
        let response = try await cors.respond(to: HTTPRequest(method: .options, target: "/hello", headers: [
            "Origin": "https://anyone.example", "Access-Control-Request-Method": "DELETE",
        ]))
        #expect(response.headers["Access-Control-Allow-Origin"] == nil)
    }

    @Test func requestsWithoutOriginPassThroughUntouched() async throws {
        let cors = Self.responder(.any)
        let response = try await cors.respond(to: HTTPRequest(method: .get, target: "/hello"))
        #expect(response.headers["Access-Control-Allow-Origin"] == nil)
        #expect(response.headers["Vary"] == nil)
    }
}
