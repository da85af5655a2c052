import Foundation
import HTTPCore
import Testing
@testable import Server

/// `openapi.yaml` is the API's contract: valid OpenAPI 3.1, describing every route the service
/// has, and served by the binary byte for byte as checked in.
struct OpenAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let document = root.appendingPathComponent("openapi.yaml")

    /// Whether python3 with openapi-spec-validator is here (the CI image installs it from pip).
    static let validatorAvailable: Bool = {
        (try? python(["-c", "import openapi_spec_validator"]).status) == 0
    }()

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("semadjust-python-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: output), as: UTF8.self))
    }

    @Test func theEmbeddedCopyIsTheCheckedInDocument() throws {
        let checkedIn = try String(contentsOf: Self.document, encoding: .utf8)
        #expect(OpenAPIDocument.yaml == checkedIn, "Sources/Server/OpenAPIDocument.swift is stale: run `make openapi-embed`")
    }

    @Test func theServiceServesItAsYAML() async throws {
        let responder = ServiceRoutes(corsOrigins: [], openConnections: { 0 }).responder()
        let response = try await responder.respond(to: HTTPRequest(method: .get, target: "/openapi.yaml"))
        #expect(response.status.code == 200)
        #expect(response.headers["Content-Type"] == "application/yaml")
        guard case .bytes(let body) = response.body else { Issue.record("no body"); return }
        #expect(body == Array(try Data(contentsOf: Self.document)))
    }

    @Test func everyRouteOfTheServiceIsDocumented() throws {
        let yaml = OpenAPIDocument.yaml
        let documented = Set(yaml.split(separator: "\n").compactMap { line -> String? in
            // Path items are the keys indented by two spaces under `paths:`.
            guard line.hasPrefix("  /"), line.hasSuffix(":") else { return nil }
            return String(line.dropFirst(2).dropLast())
        })
        let undocumented = ServiceRoutes.knownRoutes.subtracting(documented)
        #expect(undocumented.isEmpty, "routes missing from openapi.yaml: \(undocumented.sorted())")
        #expect(yaml.hasPrefix("openapi: 3.1."))
    }

    @Test(.enabled(if: validatorAvailable, "python3 -m pip install openapi-spec-validator"))
    func isValidOpenAPI31() throws {
        let check = """
            import sys
            from openapi_spec_validator import validate
            from openapi_spec_validator.readers import read_from_filename
            spec, _ = read_from_filename(sys.argv[1])
            assert spec["openapi"].startswith("3.1."), spec["openapi"]
            validate(spec)
            # Every request body and every response body carries an example.
            missing = []
            for path, item in spec["paths"].items():
                for method, operation in item.items():
                    bodies = [("request", operation.get("requestBody", {}))]
                    bodies += [(status, r) for status, r in operation["responses"].items()]
                    for name, body in bodies:
                        while "$ref" in body:
                            target = spec
                            for key in body["$ref"].split("/")[1:]:
                                target = target[key]
                            body = target
                        for media, content in body.get("content", {}).items():
                            if "example" not in content and "examples" not in content:
                                missing.append(f"{method.upper()} {path} {name} {media}")
            assert not missing, "no example for: " + ", ".join(missing)
            """
        let (status, output) = try Self.python(["-c", check, Self.document.path])
        #expect(status == 0, "openapi-spec-validator: \(output)")
    }
}
