#if canImport(Glibc)
import Glibc

/// Glibc spells socket types and flags as imported enums; these constants hide that.
enum SocketType {
    static let stream = Int32(SOCK_STREAM.rawValue)
    static let nonBlockingCloexec = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    static let noSignal = Int32(MSG_NOSIGNAL)
    static let ipProtoTCP = Int32(IPPROTO_TCP)
    static let ipProtoIPv6 = Int32(IPPROTO_IPV6)
    static let shutdownWrite = Int32(SHUT_WR)
}
#endif
