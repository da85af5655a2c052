import AdjustService
import Foundation

/// One photo to retouch: where it comes from, where its result (and optionally its map) goes, in
/// which format, and which user map, if any, replaces the discovered one.
struct AdjustJob: Sendable, Equatable {
    let input: String
    let output: String
    var format: OutputFormat = .jpeg
    let mapInput: String?
    let mapOutput: String?

    /// Reads, adjusts and writes this photo; every failure says which file and why.
    func run(with pipeline: AdjustPipeline, quality: Int, strength: Double = 1, maxSide: Int? = nil,
             refine: Bool? = nil) throws(CommandLineFailure) -> AdjustResult {
        let image = try Self.read(input, what: "photo")
        let map = try mapInput.map { path throws(CommandLineFailure) in try Self.read(path, what: "map") }
        let result: AdjustResult
        do {
            result = try pipeline.adjust(imageBytes: image, options: AdjustOptions(
                quality: quality, format: format, strength: strength, mapPNG: map, maxSide: maxSide,
                encodesMap: mapOutput != nil, refine: refine))
        } catch {
            throw CommandLineFailure("\(error)")
        }
        try Self.write(result.image, to: output)
        if let mapOutput, let png = result.mapPNG { try Self.write(png, to: mapOutput) }
        return result
    }

    static func read(_ path: String, what: String) throws(CommandLineFailure) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandLineFailure("cannot read the \(what) '\(path)': no such file")
        }
        guard !isDirectory.boolValue else { throw CommandLineFailure("cannot read the \(what) '\(path)': it is a folder") }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw CommandLineFailure("cannot read the \(what) '\(path)': \(error.localizedDescription)")
        }
    }

    /// Writes through a temporary file and a rename, so an interrupted run never leaves half a photo
    /// that a later step would mistake for a result.
    static func write(_ bytes: [UInt8], to path: String) throws(CommandLineFailure) {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandLineFailure("cannot write '\(path)': \(error.localizedDescription)")
        }
    }
}
