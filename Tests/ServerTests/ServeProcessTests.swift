import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

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

    @Test(.enabled(if: binary != nil, "the semadjust product was not built next to the tests"))
    func servesThenExitsCleanlyOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = Self.binary!
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--shutdown-grace", "5"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Never leave a server behind, whichever expectation fails first.
        defer { if process.isRunning { process.terminate() } }

        // The log line tells which port the kernel chose.
        var log = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(10)
        while port == nil && Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            log += String(decoding: chunk, as: UTF8.self)
            if let range = log.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last!)
            }
        }
        let chosen = try #require(port, "no listening line in: \(log)")
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(chosen)/healthz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self) == "ok\n")

        kill(process.processIdentifier, SIGTERM)
        let exitDeadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < exitDeadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning)
        if !process.isRunning { #expect(process.terminationStatus == 0) }
        log += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("shutting down gracefully"))
        #expect(log.contains("server stopped"))
    }
}
