import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Server

/// The real `semadjust` binary, started as a process: it must serve, and leave cleanly on SIGTERM.
struct ServeProcessTests {
    static var binary: URL? {
        // The test runner lives in the build folder that also holds the product.
        let runner = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        let candidates = [
            runner.deletingLastPathComponent().appendingPathComponent("semadjust"),
            runner.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("semadjust"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// A started server, its port (from the log line that names the one the kernel chose) and the log so far.
    struct Running {
        let process: Process
        let output: Pipe
        let port: Int
        var log: String
    }

    static func start(_ arguments: [String], in directory: String? = nil) throws -> Running {
        let process = Process()
        process.executableURL = Self.binary!
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var log = ""
        var port: Int?
        // Loading the three shipped styles in a debug build takes a few seconds.
        let deadline = Date().addingTimeInterval(60)
        while port == nil && Date() < deadline && process.isRunning {
            let chunk = output.fileHandleForReading.availableData
            log += String(decoding: chunk, as: UTF8.self)
            if let range = log.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last!)
            }
        }
        guard let port else {
            if process.isRunning { process.terminate() }
            throw ServeFailure(log: log)
        }
        return Running(process: process, output: output, port: port, log: log)
    }

    struct ServeFailure: Error, CustomStringConvertible {
        let log: String
        var description: String { "no listening line in: \(log)" }
    }

    @Test(.enabled(if: binary != nil, "the semadjust product was not built next to the tests"))
    func servesThenExitsCleanlyOnSIGTERM() async throws {
        var server = try Self.start(["--shutdown-grace", "5"])
        // Never leave a server behind, whichever expectation fails first.
        defer { if server.process.isRunning { server.process.terminate() } }
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)/healthz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self) == "ok\n")

        kill(server.process.processIdentifier, SIGTERM)
        let exitDeadline = Date().addingTimeInterval(10)
        while server.process.isRunning && Date() < exitDeadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!server.process.isRunning)
        if !server.process.isRunning { #expect(server.process.terminationStatus == 0) }
        server.log += String(decoding: server.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(server.log.contains("shutting down gracefully"))
        #expect(server.log.contains("server stopped"))
    }

    /// Started from `/` with no model options and no model environment: the styles are found in the
    /// models folder of the tree the binary was built in, and their trunk beside them.
    @Test(.enabled(if: binary != nil && Environment.string("SEMADJUST_MODELS") == nil && Environment.string("SEMADJUST_TRUNK") == nil,
                   "the semadjust product was not built next to the tests, or SEMADJUST_MODELS/SEMADJUST_TRUNK are set"))
    func startedFromTheRootItServesEveryShippedStyle() async throws {
        let server = try Self.start(["--workers", "1"], in: "/")
        defer { if server.process.isRunning { server.process.terminate() } }
        #expect(!server.log.contains("not loaded"), "\(server.log)")
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)/v1/styles")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let ids = Set(((json["styles"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        #expect(ids == ["popout", "watercolor", "xpro"], "\(String(decoding: body, as: UTF8.self))")
    }
}
