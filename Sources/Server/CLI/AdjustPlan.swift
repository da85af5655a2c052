import AdjustService
import Foundation

/// What `semadjust adjust` will do, worked out from its arguments before any model is loaded, so
/// that usage mistakes are reported at once rather than after seconds of loading.
///
/// One photo and an output that is not a folder is *single* mode: `-o` and `--save-map` name
/// files. Anything else (several inputs, a folder among them, or `-o` naming a folder or ending in
/// `/`) is *batch* mode: `-o` and `--save-map` are folders, created when missing, and each photo
/// `NAME.ext` becomes `NAME.jpg` there (or the `--format`'s extension; its map `NAME.png`); a
/// `--map` folder holds `NAME.png` per photo, a `--map` file applies to every photo. A single output's
/// format is `--format`, else its extension's.
struct AdjustPlan: Equatable {
    /// What a folder is searched for (the decoder reads every one of them, by content).
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "webp", "heic", "heif", "avif", "tif", "tiff"]

    let isBatch: Bool
    let jobs: [AdjustJob]
    /// Folders to create before the first job (batch mode's `-o` and `--save-map`).
    let folders: [String]

    init(inputs: [String], output: String, map: String?, saveMap: String?, format: OutputFormat? = nil) throws(CommandLineFailure) {
        guard !inputs.isEmpty else { throw CommandLineFailure("no input photos given") }
        let isBatch = inputs.count > 1 || inputs.contains(where: Self.isFolder) || Self.isFolder(output) || output.hasSuffix("/")
        self.isBatch = isBatch
        let mapFolder = map.flatMap { Self.isFolder($0) ? $0 : nil }

        if !isBatch {
            let input = inputs[0]
            let name = Self.stem(of: input)
            let mapOutput = saveMap.map { Self.isFolder($0) || $0.hasSuffix("/") ? Self.join($0, name + ".png") : $0 }
            let ext = URL(fileURLWithPath: output).pathExtension
            guard let chosen = format ?? OutputFormat(fileExtension: ext) else {
                throw CommandLineFailure("cannot tell the format of '\(output)' from its extension; name it .jpg, .png, .webp or .avif, or give --format")
            }
            jobs = [AdjustJob(
                input: input, output: output, format: chosen,
                mapInput: mapFolder.map { Self.join($0, name + ".png") } ?? map, mapOutput: mapOutput)]
            folders = []
        } else {
            for (option, path) in [("-o", output), ("--save-map", saveMap)] {
                if let path, FileManager.default.fileExists(atPath: path), !Self.isFolder(path) {
                    throw CommandLineFailure("\(option) '\(path)' is a file, but several photos need a folder")
                }
            }
            var photos: [String] = []
            for input in inputs {
                if Self.isFolder(input) {
                    let found = try Self.photos(in: input)
                    if found.isEmpty { StandardError.write("warning: no photos (\(Self.imageExtensions.sorted().joined(separator: ", "))) in '\(input)'\n") }
                    photos += found
                } else {
                    // Named explicitly: taken whatever its extension, so a wrong file is reported, not skipped.
                    photos.append(input)
                }
            }
            var seen = Set<String>()
            photos = photos.filter { seen.insert(Self.canonical($0)).inserted }
            guard !photos.isEmpty else { throw CommandLineFailure("no photos to adjust in \(inputs.joined(separator: ", "))") }
            let names = Self.outputNames(for: photos)
            jobs = zip(photos, names).map { photo, name in
                AdjustJob(
                    input: photo, output: Self.join(output, name + "." + (format ?? .jpeg).fileExtension), format: format ?? .jpeg,
                    mapInput: mapFolder.map { Self.join($0, name + ".png") } ?? map,
                    mapOutput: saveMap.map { Self.join($0, name + ".png") })
            }
            folders = [output] + (saveMap.map { [$0] } ?? [])
        }

        let inputPaths = Set(jobs.map { Self.canonical($0.input) })
        for job in jobs {
            for written in [job.output] + (job.mapOutput.map { [$0] } ?? []) where inputPaths.contains(Self.canonical(written)) {
                throw CommandLineFailure("'\(written)' would overwrite an input photo; choose another output")
            }
        }
    }

    func createFolders() throws(CommandLineFailure) {
        for folder in folders {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw CommandLineFailure("cannot create the folder '\(folder)': \(error.localizedDescription)")
            }
        }
    }

    /// The photos directly in a folder (not its subfolders), by name, hidden files left out.
    static func photos(in folder: String) throws(CommandLineFailure) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw CommandLineFailure("cannot list the folder '\(folder)': \(error.localizedDescription)")
        }
        return names
            .filter { !$0.hasPrefix(".") && imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
            .map { join(folder, $0) }
            .filter { !isFolder($0) }
    }

    /// `NAME` for `NAME.ext`; photos that would share a name (`a.jpg` and `a.png`) keep their
    /// extension (`a-jpg`, `a-png`), and any still alike get a counter, so no result overwrites another.
    static func outputNames(for photos: [String]) -> [String] {
        let stems = photos.map(stem)
        var counts: [String: Int] = [:]
        for stem in stems { counts[stem, default: 0] += 1 }
        var taken = Set<String>()
        return zip(photos, stems).map { photo, stem in
            let base = counts[stem]! > 1
                ? (photo as NSString).lastPathComponent.replacingOccurrences(of: ".", with: "-")
                : stem
            var name = base
            var counter = 2
            while !taken.insert(name).inserted {
                name = "\(base)-\(counter)"
                counter += 1
            }
            return name
        }
    }

    static func stem(of path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    static func join(_ folder: String, _ name: String) -> String {
        (folder as NSString).appendingPathComponent(name)
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// One spelling per file, so `./a.jpg` and `a.jpg` are recognised as the same photo.
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
