import Foundation
import Testing
@testable import Server

/// Where `serve`, `adjust` and `styles` look for styles when nothing says.
struct DefaultModelsFolderTests {
    /// A scratch tree: `repo/models` beside SwiftPM's build folder, `prefix/{bin,models}` as installed,
    /// and `elsewhere/a/b/c`, deep enough that no search from it leaves the tree.
    static func tree() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("models-folder-\(UUID())")
        for folder in ["repo/models", "repo/.build/x86_64-unknown-linux-gnu/release", "elsewhere/a/b/c", "prefix/bin", "prefix/models"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        return root
    }

    @Test func theWorkingDirectorysModelsFolderComesFirst() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let found = DefaultModelsFolder.resolve(currentDirectory: root.appendingPathComponent("repo").path,
                                                executable: root.appendingPathComponent("prefix/bin/semadjust").path)
        #expect(found == "models")
    }

    @Test func elsewhereTheBinarysTreeIsSearched() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let elsewhere = root.appendingPathComponent("elsewhere").path
        let built = DefaultModelsFolder.resolve(
            currentDirectory: elsewhere, executable: root.appendingPathComponent("repo/.build/x86_64-unknown-linux-gnu/release/semadjust").path)
        #expect(built == root.appendingPathComponent("repo/models").path)
        let installed = DefaultModelsFolder.resolve(currentDirectory: elsewhere, executable: root.appendingPathComponent("prefix/bin/semadjust").path)
        #expect(installed == root.appendingPathComponent("prefix/models").path)
    }

    @Test func withNoModelsFolderAnywhereTheRelativeNameStays() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let found = DefaultModelsFolder.resolve(currentDirectory: root.appendingPathComponent("elsewhere").path,
                                                executable: root.appendingPathComponent("elsewhere/a/b/c/semadjust").path)
        #expect(found == "models")
    }
}
