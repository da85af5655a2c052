import Foundation

/// Where the styles are when neither `--models` nor SEMADJUST_MODELS says: `models` in the working
/// directory, as `make run` starts it, else the `models` folder of the tree the binary was built or
/// installed in (`<repo>/.build/<triple>/release/semadjust` → `<repo>/models`, `<prefix>/bin/semadjust`
/// → `<prefix>/models`), so that a server started from `/` or by a service manager finds its styles.
enum DefaultModelsFolder {
    static let name = "models"
    /// How far above the binary's folder to look: three levels reach the package root from SwiftPM's
    /// `.build/<triple>/<configuration>/`.
    static let levelsAboveBinary = 3

    static func resolve(currentDirectory: String = FileManager.default.currentDirectoryPath,
                        executable: String? = ProcessRelaunch.executablePath()) -> String {
        var candidates = [(currentDirectory as NSString).appendingPathComponent(name)]
        if let executable {
            var folder = (executable as NSString).deletingLastPathComponent
            for _ in 0...levelsAboveBinary where folder != "/" && !folder.isEmpty {
                candidates.append((folder as NSString).appendingPathComponent(name))
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        var isFolder: ObjCBool = false
        let found = candidates.first { FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder) && isFolder.boolValue }
        // Nothing found: the relative name, so that the "no models" message names what a user expects.
        return found.map { $0 == candidates[0] ? name : $0 } ?? name
    }
}
