#if canImport(Glibc)
import Glibc
#endif
import CSocketShim

/// A non-owning handle to a stream socket's file descriptor.
///
/// `Socket` is a value: whoever created it (a listener, a connection) owns the descriptor and
/// calls `close()` exactly once. Every descriptor is created non-blocking and close-on-exec,
/// so a forked child never inherits client connections.
public struct Socket: Sendable, Hashable {
    public let fileDescriptor: Int32

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// The outcome of a non-blocking read or write.
    public enum IOResult: Sendable, Equatable {
        /// This many bytes moved (always > 0).
        case bytes(Int)
        /// Nothing to do now; wait for the next readiness event.
        case wouldBlock
        /// The peer closed its side (reads only).
        case endOfFile
    }

    /// Creates a listening socket bound to `address`.
    ///
    /// - Parameters:
    ///   - backlog: the kernel's accept queue length (clamped by `net.core.somaxconn`).
    ///   - ipv6Only: for an IPv6 address, whether IPv4-mapped connections are refused;
    ///     `false` makes `::` a dual-stack listener.
    public static func listening(on address: SocketAddress, backlog: Int32, ipv6Only: Bool = false) throws(SocketError) -> Socket {
        let fd = Glibc.socket(Int32(address.storage.ss_family), SocketType.stream | SocketType.nonBlockingCloexec, 0)
        guard fd >= 0 else { throw SocketError.last(.socket) }
        let socket = Socket(fileDescriptor: fd)
        do throws(SocketError) {
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            if address.family == .ipv6 {
                try socket.setOption(SocketType.ipProtoIPv6, IPV6_V6ONLY, ipv6Only ? 1 : 0)
            }
            let bound = address.withSockAddr { Glibc.bind(fd, $0, $1) }
            guard bound == 0 else { throw SocketError.last(.bind, context: address.description) }
            guard Glibc.listen(fd, backlog) == 0 else { throw SocketError.last(.listen, context: address.description) }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// Opens a blocking client connection; used by tests and tools, not by the server.
    public static func connect(to address: SocketAddress) throws(SocketError) -> Socket {
        let fd = Glibc.socket(Int32(address.storage.ss_family), SocketType.stream | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError.last(.socket) }
        let socket = Socket(fileDescriptor: fd)
        let status = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        guard status == 0 else {
            let error = SocketError.last(.connect, context: address.description)
            socket.close()
            throw error
        }
        return socket
    }

    /// Accepts one pending connection, already non-blocking and close-on-exec.
    /// Returns `nil` when no connection is pending.
    public func accept() throws(SocketError) -> (Socket, SocketAddress)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    csocketshim_accept_nonblocking(fileDescriptor, $0, &length)
                }
            }
            if fd >= 0 { return (Socket(fileDescriptor: fd), SocketAddress(storage: storage, length: length)) }
            switch currentErrno() {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw SocketError.last(.accept)
            }
        }
    }

    /// Reads at most `buffer.count` bytes.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> IOResult {
        while true {
            let n = Glibc.recv(fileDescriptor, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return buffer.isEmpty ? .wouldBlock : .endOfFile }
            switch currentErrno() {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SocketError.last(.read)
            }
        }
    }

    /// Writes from several buffers in one system call (gather write). `MSG_NOSIGNAL` semantics:
    /// a peer that went away yields `EPIPE` as an error, never a process-killing `SIGPIPE`.
    public func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) throws(SocketError) -> IOResult {
        var vectors = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
        )
        return try withUnsafeMutableBytes(of: &vectors) { raw throws(SocketError) in
            try write(vectors: raw.bindMemory(to: iovec.self))
        }
    }

    private func write(vectors: UnsafeMutableBufferPointer<iovec>) throws(SocketError) -> IOResult {
        var message = msghdr()
        message.msg_iov = vectors.baseAddress
        message.msg_iovlen = vectors.count
        while true {
            let n = Glibc.sendmsg(fileDescriptor, &message, SocketType.noSignal)
            if n >= 0 { return n == 0 ? .wouldBlock : .bytes(n) }
            switch currentErrno() {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SocketError.last(.write)
            }
        }
    }

    /// Writes from one buffer.
    public func write(_ buffer: UnsafeRawBufferPointer) throws(SocketError) -> IOResult {
        var vector = iovec(iov_base: UnsafeMutableRawPointer(mutating: buffer.baseAddress), iov_len: buffer.count)
        return try withUnsafeMutablePointer(to: &vector) { pointer throws(SocketError) in
            try write(vectors: UnsafeMutableBufferPointer(start: pointer, count: 1))
        }
    }

    /// Disables Nagle's algorithm: responses leave as soon as they are written.
    public func setNoDelay() throws(SocketError) {
        try setOption(SocketType.ipProtoTCP, TCP_NODELAY, 1)
    }

    /// Shuts down the write side only, so that the peer sees a clean FIN after the last response
    /// byte while we can still drain what it sends (closing at once could make the kernel answer
    /// unread input with a RST that destroys the response in flight).
    public func shutdownWrite() {
        _ = Glibc.shutdown(fileDescriptor, SocketType.shutdownWrite)
    }

    /// Switches a descriptor between blocking and non-blocking mode (tests use blocking clients).
    public func setBlocking(_ blocking: Bool) throws(SocketError) {
        let flags = fcntl(fileDescriptor, F_GETFL)
        guard flags >= 0 else { throw SocketError.last(.fcntl) }
        let updated = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK
        guard fcntl(fileDescriptor, F_SETFL, updated) == 0 else { throw SocketError.last(.fcntl) }
    }

    /// Sets a receive timeout for blocking reads (tests).
    public func setReceiveTimeout(milliseconds: Int) throws(SocketError) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        guard setsockopt(fileDescriptor, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw SocketError.last(.setOption, context: "SO_RCVTIMEO")
        }
    }

    /// The local address, e.g. to learn the port the kernel chose for port 0.
    public func localAddress() throws(SocketError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
        }
        guard status == 0 else { throw SocketError.last(.getName) }
        return SocketAddress(storage: storage, length: length)
    }

    public func close() {
        _ = Glibc.close(fileDescriptor)
    }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var value = value
        guard setsockopt(fileDescriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError.last(.setOption, context: "level \(level) option \(name)")
        }
    }
}
