#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed socket system call: which call, and the `errno` it left.
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Operation: String, Sendable {
        case resolve, socket, setOption, bind, listen, accept, connect, read, write, shutdown, getName, fcntl
    }

    public let operation: Operation
    public let errno: Int32
    /// Extra context, e.g. the address that failed to bind.
    public let context: String?

    public init(_ operation: Operation, errno: Int32, context: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.context = context
    }

    /// Captures the calling thread's current `errno`.
    static func last(_ operation: Operation, context: String? = nil) -> SocketError {
        SocketError(operation, errno: currentErrno(), context: context)
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        if let context { return "\(operation.rawValue)(\(context)) failed: \(reason) (errno \(errno))" }
        return "\(operation.rawValue) failed: \(reason) (errno \(errno))"
    }
}
