import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ModelFolderWatch {
    /// A Dispatch source for `number`, its default action (for SIGHUP: terminate) ignored first so the
    /// signal reaches the source instead of ending the process.
    static func signalSource(_ number: Int32, queue: DispatchQueue) -> any DispatchSourceSignal {
        signal(number, SIG_IGN)
        return DispatchSource.makeSignalSource(signal: number, queue: queue)
    }
}
