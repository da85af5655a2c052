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

    /// SIGTERM while requests wait for the one worker: each gets a whole answer — the running one its
    /// JPEG within the grace, the queued ones a 503 problem with Retry-After at once — and the
    /// process exits 0. The queue deadline (30 s) outlasting the grace (25 s) must not matter.
    @Test(.enabled(if: binary != nil && Environment.string("SEMADJUST_MODELS") == nil, "the semadjust product was not built next to the tests"))
    func sigtermAnswersEveryQueuedRequest() async throws {
        var server = try Self.start(["--workers", "1", "--queue", "8", "--shutdown-grace", "25", "--no-prerender"])
        defer { if server.process.isRunning { server.process.terminate() } }
        let base = URL(string: "http://127.0.0.1:\(server.port)")!
        // Large enough that one adjustment on the shipped models outlasts the SIGTERM below.
        let photo = try RealModelEndToEndTests.scene(width: 2400, height: 1800)
        let requests = 5
        let answers = Task {
            try await withThrowingTaskGroup(of: (Int, [String: String], Data, ContinuousClock.Instant).self) { group in
                for _ in 0..<requests {
                    group.addTask {
                        let (status, headers, body) = try await AdjustEndToEndTests.post(base, [("image", "photo.jpg", photo), ("style", nil, Array("xpro".utf8))])
                        return (status, headers, body, .now)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        // Wait until one runs and the rest are queued.
        var queued = 0
        let deadline = Date().addingTimeInterval(60)
        while queued < requests - 1 && Date() < deadline {
            let (metrics, _) = try await URLSession.shared.data(from: base.appendingPathComponent("metrics"))
            let line = String(decoding: metrics, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("semadjust_inference_queue_depth ") }
            queued = line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(queued == requests - 1, "requests queued before SIGTERM")
        let signalled = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        let results = try await answers.value
        #expect(results.count == requests)
        var completed = 0, refused = 0
        for (status, headers, body, at) in results {
            switch status {
            case 200:
                completed += 1
                #expect(headers["content-type"] == "image/jpeg")
                #expect(body.prefix(2) == Data([0xFF, 0xD8]) && body.suffix(2) == Data([0xFF, 0xD9]), "a whole JPEG")
            case 503:
                refused += 1
                #expect(headers["retry-after"] != nil)
                #expect(headers["content-type"] == "application/problem+json")
                #expect(String(decoding: body, as: UTF8.self).contains("shutting down"))
                #expect(at - signalled < .seconds(5), "a queued request is refused at once, not at the grace's end")
            default:
                Issue.record("status \(status): \(String(decoding: body, as: UTF8.self))")
            }
        }
        #expect(completed >= 1 && refused >= 1, "\(completed) completed, \(refused) refused")
        let exitDeadline = Date().addingTimeInterval(30)
        while server.process.isRunning && Date() < exitDeadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!server.process.isRunning && server.process.terminationStatus == 0)
        server.log += String(decoding: server.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!server.log.contains("grace period over"), "nothing was cut off: \(server.log.suffix(2000))")
    }

    /// The start-up restart (huge-page malloc, OpenBLAS core type) keeps the process's name: `ps`,
    /// `pidof`, systemd and container tooling find `semadjust`, not `exe`.
    @Test(.enabled(if: binary != nil, "the semadjust product was not built next to the tests"))
    func theRestartedServerIsStillCalledSemadjust() async throws {
        let server = try Self.start(["--workers", "1"])
        defer { if server.process.isRunning { server.process.terminate() } }
        let pid = server.process.processIdentifier
        let environment = try String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8).split(separator: "\0")
        if ResourceLimits.transparentHugePagesAvailable && Environment.string("GLIBC_TUNABLES") == nil {
            // The restart happened, so the name below is the restarted process's.
            #expect(environment.contains { $0.hasPrefix("GLIBC_TUNABLES=") && $0.contains(ResourceLimits.hugePageTunable) })
        }
        #expect(try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) == "semadjust\n")
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

    /// A model file copied into the served folder is served without a restart: on SIGHUP (with the poll
    /// off, so nothing else can load it), and by the poll alone once it has stopped changing; a removed
    /// one goes; /metrics counts the changes.
    @Test(.enabled(if: binary != nil, "the semadjust product was not built next to the tests"))
    func modelFilesComeAndGoWithoutARestart() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("InferenceTests/Fixtures")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("served-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = fixtures.appendingPathComponent("tiny-model.safetensors")
        let trunk = fixtures.appendingPathComponent("tiny-trunk.safetensors").path
        func get(_ base: String, _ path: String) async throws -> (Int, String) {
            let (body, response) = try await URLSession.shared.data(from: URL(string: base + path)!)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
        }
        func waitFor(_ base: String, _ path: String, status: Int, within seconds: Double) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try await get(base, path).0 == status { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }

        // With the poll off only SIGHUP can load the file: what loads it then is the signal.
        let signalled = try Self.start(["--models", folder.path, "--trunk", trunk, "--models-poll", "0", "--workers", "1"])
        defer { if signalled.process.isRunning { signalled.process.terminate() } }
        let first = "http://127.0.0.1:\(signalled.port)"
        #expect(try await get(first, "/readyz").0 == 503, "an empty folder serves nothing")
        try FileManager.default.copyItem(at: model, to: folder.appendingPathComponent("tiny.safetensors"))
        try await Task.sleep(for: .seconds(2))
        #expect(try await get(first, "/readyz").0 == 503, "without the poll, nothing is loaded before the signal")
        kill(signalled.process.processIdentifier, SIGHUP)
        #expect(try await waitFor(first, "/readyz", status: 200, within: 10), "SIGHUP loads the new file")
        #expect(try await get(first, "/v1/styles").1.contains(#""id":"tiny""#))
        #expect(signalled.process.isRunning, "SIGHUP must not end the process")
        signalled.process.terminate()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("tiny.safetensors"))

        // The poll alone: a new file is served, a removed one goes.
        let polled = try Self.start(["--models", folder.path, "--trunk", trunk, "--models-poll", "1", "--workers", "1"])
        defer { if polled.process.isRunning { polled.process.terminate() } }
        let second = "http://127.0.0.1:\(polled.port)"
        try FileManager.default.copyItem(at: model, to: folder.appendingPathComponent("tiny.safetensors"))
        #expect(try await waitFor(second, "/readyz", status: 200, within: 10), "the poll loads a new file once it has stopped changing")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("tiny.safetensors"))
        #expect(try await waitFor(second, "/readyz", status: 503, within: 10), "the poll notices a removed file")
        try FileManager.default.copyItem(at: model, to: folder.appendingPathComponent("again.safetensors"))
        #expect(try await waitFor(second, "/readyz", status: 200, within: 10), "and a second new file")
        let metrics = try await get(second, "/metrics").1
        #expect(metrics.contains(#"semadjust_models_changes_total{change="added"} 2"#), "\(metrics)")
        #expect(metrics.contains(#"semadjust_models_changes_total{change="removed"} 1"#))
    }
}

