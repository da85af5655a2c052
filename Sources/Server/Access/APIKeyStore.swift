import Foundation
import Locks

/// The keys of the `--api-keys` file, reloaded when the file changes (`reloadIfChanged`, polled by
/// the server: a Kubernetes Secret volume swaps the file behind a symlink without any signal).
/// A reload that fails keeps the keys in force: a typo in the file neither locks every client out
/// nor opens the service.
final class APIKeyStore: Sendable {
    enum ReloadOutcome: Equatable {
        case unchanged
        case reloaded(keys: Int)
        case failed(String)
    }

    let path: String
    let defaults: APIKeyFile.Defaults
    private let state: LockedValue<(keys: [APIKey], text: String)>

    /// Reads the file; throws a message naming the path and line when it cannot be used.
    init(path: String, defaults: APIKeyFile.Defaults) throws {
        self.path = path
        self.defaults = defaults
        let text = try Self.read(path)
        let keys: [APIKey]
        do {
            keys = try APIKeyFile.parse(text, defaults: defaults)
        } catch {
            throw APIKeyStoreError("\(path), \(error)")
        }
        state = LockedValue((keys, text))
    }

    var keys: [APIKey] { state.withLock { $0.keys } }

    /// Re-reads the file; new keys take effect for the next request.
    func reloadIfChanged() -> ReloadOutcome {
        let text: String
        do {
            text = try Self.read(path)
        } catch {
            return .failed("\(error)")
        }
        guard text != state.withLock({ $0.text }) else { return .unchanged }
        do {
            let keys = try APIKeyFile.parse(text, defaults: defaults)
            state.withLock { $0 = (keys, text) }
            return .reloaded(keys: keys.count)
        } catch {
            return .failed("\(path), \(error)")
        }
    }

    /// The key whose secret is `secret`, if any. Every listed digest is compared, in constant time
    /// each, so the time taken does not tell how much of a guess was right.
    func authenticate(_ secret: some StringProtocol) -> APIKey? {
        let digest = APIKey.digest(of: secret)
        return state.withLock { s in
            var found: APIKey?
            for key in s.keys where Self.constantTimeEqual(key.digest, digest) { found = key }
            return found
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    private static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw APIKeyStoreError("cannot read the API key file \(path): \(error.localizedDescription)")
        }
    }
}

struct APIKeyStoreError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
