#if canImport(Glibc)
import Glibc
#endif

/// Environment variables as fallbacks for command-line options (containers configure by env).
enum Environment {
    static func string(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let string = String(cString: value)
        return string.isEmpty ? nil : string
    }

    static func integer(_ name: String) -> Int? {
        string(name).flatMap { Int($0) }
    }

    /// A TCP port (0...65535); nil when unset or not one (`ServeCommand.validate` reports which).
    static func port(_ name: String) -> UInt16? {
        integer(name).flatMap { UInt16(exactly: $0) }
    }

    /// 1/true/yes/on or 0/false/no/off (any case); nil when unset or anything else.
    static func flag(_ name: String) -> Bool? {
        switch string(name)?.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }
}
