import Foundation
import Imaging
import Testing
@testable import Server

/// `semadjust adjust` and `semadjust styles` as a user runs them: the built binary on real files,
/// with the reduced-configuration parity model as the only style (random weights: these check the
/// command line's contract, not the retouching).
struct AdjustCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("InferenceTests/Fixtures")

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// A fresh folder with a models folder holding the tiny head as `tiny.safetensors`.
    static func workspace() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semadjust-cli-\(UUID().uuidString)")
        let models = folder.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("tiny-model.safetensors"), to: models.appendingPathComponent("tiny.safetensors"))
        return folder
    }

    /// Runs the binary in `folder` with the tiny models; stderr is a pipe, so no progress bar.
    static func semadjust(_ arguments: [String], in folder: URL) throws -> Run {
        let process = Process()
        process.executableURL = ServeProcessTests.binary!
        process.arguments = arguments + [
            "--models", folder.appendingPathComponent("models").path,
            "--trunk", fixtures.appendingPathComponent("tiny-trunk.safetensors").path,
        ]
        process.currentDirectoryURL = folder
        // Files, not pipes: nothing to drain while waiting, and stderr is no terminal (no progress bar).
        let out = folder.appendingPathComponent("stdout-\(UUID().uuidString)")
        let err = folder.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    static func photo(width: Int = 64, height: Int = 48) -> [UInt8] {
        var pixels = [UInt8](repeating: 90, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = UInt8((i % width) * 255 / max(1, width - 1))
            pixels[3 * i + 1] = UInt8((i / width) * 255 / max(1, height - 1))
        }
        return pixels
    }

    static func jpeg(width: Int = 64, height: Int = 48) throws -> Data {
        Data(try JPEGEncoder().encode(RGBImage(width: width, height: height, pixels: photo(width: width, height: height))))
    }

    static func png(width: Int, height: Int) throws -> Data {
        Data(try PNGEncoder().encode(pixels: photo(width: width, height: height), width: width, height: height, channels: 3))
    }

    static func decode(_ url: URL) throws -> RGBImage {
        try ImageDecoder().decode([UInt8](try Data(contentsOf: url))).image
    }

    @Test(.enabled(if: ServeProcessTests.binary != nil, "the semadjust product was not built next to the tests"))
    func onePhotoWithItsMapAndTheMapSentBack() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.jpeg().write(to: folder.appendingPathComponent("in.jpg"))

        let first = try Self.semadjust(["adjust", "in.jpg", "-o", "out.jpg", "--save-map", "map.png", "--quality", "80"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        let out = try Self.decode(folder.appendingPathComponent("out.jpg"))
        #expect(out.width == 64 && out.height == 48)
        let map = try PNGDecoder().decode([UInt8](try Data(contentsOf: folder.appendingPathComponent("map.png")))).image
        #expect(map.width == 64 && map.height == 48)
        // An 8-bit label image of preset indices: gray, and below K = 2.
        #expect(stride(from: 0, to: map.pixels.count, by: 3).allSatisfy { map.pixels[$0] < 2 && map.pixels[$0] == map.pixels[$0 + 1] })
        #expect(first.stderr.contains("in.jpg -> out.jpg (64×48"))

        // The saved map goes straight back in, the personalisation loop of the service.
        let second = try Self.semadjust(["adjust", "in.jpg", "-o", "mine.jpg", "--map", "map.png"], in: folder)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("your map"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("mine.jpg").path))
    }

    @Test(.enabled(if: ServeProcessTests.binary != nil, "the semadjust product was not built next to the tests"))
    func maxSideDownscalesThePhotoAndItsMap() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.jpeg(width: 160, height: 120).write(to: folder.appendingPathComponent("in.jpg"))

        let run = try Self.semadjust(["adjust", "in.jpg", "-o", "out.jpg", "--save-map", "map.png", "--max-side", "80"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let out = try Self.decode(folder.appendingPathComponent("out.jpg"))
        #expect(out.width == 80 && out.height == 60)
        let map = try PNGDecoder().decode([UInt8](try Data(contentsOf: folder.appendingPathComponent("map.png")))).image
        #expect(map.width == 80 && map.height == 60)

        let tooSmall = try Self.semadjust(["adjust", "in.jpg", "-o", "out.jpg", "--max-side", "10"], in: folder)
        #expect(tooSmall.status != 0)
        #expect(tooSmall.stderr.contains("--max-side must be between 64 and 20000, got 10"))
    }

    @Test(.enabled(if: ServeProcessTests.binary != nil, "the semadjust product was not built next to the tests"))
    func formatsInAndOutByExtensionAndStrength() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ImagingTests/Fixtures/formats")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("photo.heic"), to: folder.appendingPathComponent("in.heic"))
        for (output, format) in [("out.webp", ImageFormat.webp), ("out.avif", .avif), ("out.png", .png), ("out.jpg", .jpeg)] {
            let run = try Self.semadjust(["adjust", "in.heic", "-o", output, "--strength", "0.5"], in: folder)
            #expect(run.status == 0, "\(output): \(run.stderr)")
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(output)))
            #expect(bytes.withUnsafeBytes { ImageFormat.sniff($0) } == format, "\(output)")
        }
        let lossless = try Self.semadjust(["adjust", "in.heic", "-o", "lossless.webp", "--format", "webp-lossless"], in: folder)
        #expect(lossless.status == 0, "\(lossless.stderr)")
        let unknown = try Self.semadjust(["adjust", "in.heic", "-o", "out.bmp"], in: folder)
        #expect(unknown.status != 0 && unknown.stderr.contains("--format"), "\(unknown.stderr)")
        let strong = try Self.semadjust(["adjust", "in.heic", "-o", "out.jpg", "--strength", "2"], in: folder)
        #expect(strong.status != 0 && strong.stderr.contains("--strength must be between 0 and 1"), "\(strong.stderr)")
    }

    @Test(.enabled(if: ServeProcessTests.binary != nil, "the semadjust product was not built next to the tests"))
    func batchOverAFolderWritesEveryPhotoAndMap() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try Self.jpeg(width: 40, height: 30).write(to: photos.appendingPathComponent("a.jpg"))
        try Self.png(width: 24, height: 36).write(to: photos.appendingPathComponent("b.PNG"))
        try Data("not a photo, and not named like one".utf8).write(to: photos.appendingPathComponent("notes.txt"))

        let run = try Self.semadjust(["adjust", "photos", "-o", "out", "--save-map", "maps"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let a = try Self.decode(folder.appendingPathComponent("out/a.jpg"))
        let b = try Self.decode(folder.appendingPathComponent("out/b.jpg"))
        #expect(a.width == 40 && a.height == 30)
        #expect(b.width == 24 && b.height == 36)
        for name in ["a", "b"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("maps/\(name).png").path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).sorted() == ["a.jpg", "b.jpg"])
        // Not a terminal: one plain line per photo and a summary, no carriage-return redraws.
        #expect(run.stderr.contains("[1/2] photos/a.jpg -> out/a.jpg"))
        #expect(run.stderr.contains("[2/2] photos/b.PNG -> out/b.jpg"))
        #expect(run.stderr.contains("adjusted 2 of 2 photos with style tiny"))
        #expect(!run.stderr.contains("\r"))

        // The maps folder goes back in as per-photo maps.
        let again = try Self.semadjust(["adjust", "photos", "-o", "mine", "--map", "maps"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("your map"))
    }

    @Test(.enabled(if: ServeProcessTests.binary != nil, "the semadjust product was not built next to the tests"))
    func aBadPhotoFailsAloneAndTheExitStatusSaysSo() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        let good = try Self.jpeg()
        try good.write(to: photos.appendingPathComponent("1-good.jpg"))
        try good.prefix(120).write(to: photos.appendingPathComponent("2-truncated.jpg"))
        try good.write(to: photos.appendingPathComponent("3-good.jpg"))

        let run = try Self.semadjust(["adjust", "photos", "photos/missing.jpg", "-o", "out"], in: folder)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: photos/2-truncated.jpg: the image could not be decoded"))
        #expect(run.stderr.contains("error: photos/missing.jpg: cannot read the photo 'photos/missing.jpg': no such file"))
        #expect(run.stderr.contains("adjusted 2 of 4 photos"))
        #expect(run.stderr.contains("2 failed: photos/2-truncated.jpg, photos/missing.jpg"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).sorted() == ["1-good.jpg", "3-good.jpg"])
    }

    @Test(.enabled(if: ServeProcessTests.binary != nil, "the semadjust product was not built next to the tests"))
    func aMapWithTheWrongKIsRefusedWithTheReason() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.jpeg().write(to: folder.appendingPathComponent("in.jpg"))
        let wrongK = try PNGEncoder().encode(pixels: [UInt8](repeating: 3, count: 16), width: 4, height: 4, channels: 1)
        try Data(wrongK).write(to: folder.appendingPathComponent("map.png"))

        let run = try Self.semadjust(["adjust", "in.jpg", "-o", "out.jpg", "--map", "map.png"], in: folder)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: in.jpg: the adjustment map is invalid"))
        #expect(run.stderr.contains("K = 2"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.jpg").path))
    }

    @Test(.enabled(if: ServeProcessTests.binary != nil, "the semadjust product was not built next to the tests"))
    func usageMistakesAreCaughtBeforeAnyWork() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.jpeg().write(to: folder.appendingPathComponent("in.jpg"))

        let style = try Self.semadjust(["adjust", "in.jpg", "-o", "out.jpg", "--style", "sepia"], in: folder)
        #expect(style.status == 1)
        #expect(style.stderr.contains("unknown style 'sepia'; available: tiny"))
        let quality = try Self.semadjust(["adjust", "in.jpg", "-o", "out.jpg", "--quality", "0"], in: folder)
        #expect(quality.status != 0)
        #expect(quality.stderr.contains("--quality must be between 1 and 100"))
        let overwrite = try Self.semadjust(["adjust", "in.jpg", "-o", "."], in: folder)
        #expect(overwrite.status == 1)
        #expect(overwrite.stderr.contains("would overwrite an input photo"))
    }

    @Test func batchNamesNeverCollideAndMapsFollowThePhotos() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        let more = folder.appendingPathComponent("more")
        for dir in [photos, more] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        for name in ["a.jpg", "a.png", "b.jpeg", ".hidden.jpg", "notes.txt"] {
            try Data().write(to: photos.appendingPathComponent(name))
        }
        try Data().write(to: more.appendingPathComponent("b.jpeg"))

        let plan = try AdjustPlan(
            inputs: [photos.path, more.path, photos.appendingPathComponent("a.jpg").path],
            output: folder.appendingPathComponent("out").path, map: photos.path, saveMap: folder.appendingPathComponent("maps").path)
        #expect(plan.isBatch)
        // Photos sharing a name keep their extension (a-jpg, a-png); names still alike (the two
        // b.jpeg) get a counter; hidden and non-photo files are skipped; a.jpg named twice runs once.
        #expect(plan.jobs.map { ($0.output as NSString).lastPathComponent } == ["a-jpg.jpg", "a-png.jpg", "b-jpeg.jpg", "b-jpeg-2.jpg"])
        #expect(plan.jobs.map { ($0.mapOutput.map { ($0 as NSString).lastPathComponent }) } == ["a-jpg.png", "a-png.png", "b-jpeg.png", "b-jpeg-2.png"])
        #expect(plan.jobs.map { $0.mapInput } == ["a-jpg.png", "a-png.png", "b-jpeg.png", "b-jpeg-2.png"].map { photos.appendingPathComponent($0).path })

        let single = try AdjustPlan(inputs: ["x/in.png"], output: "out.jpg", map: "m.png", saveMap: nil)
        #expect(!single.isBatch)
        #expect(single.jobs == [AdjustJob(input: "x/in.png", output: "out.jpg", mapInput: "m.png", mapOutput: nil)])
        #expect(throws: CommandLineFailure.self) {
            try AdjustPlan(inputs: [photos.path], output: photos.appendingPathComponent("a.jpg").path, map: nil, saveMap: nil)
        }
    }

    @Test(.enabled(if: ServeProcessTests.binary != nil, "the semadjust product was not built next to the tests"))
    func stylesListsTheModelsFolder() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Self.semadjust(["styles"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "* tiny  K=2  presets: p0, p1\n")
    }
}
