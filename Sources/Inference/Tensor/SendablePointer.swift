/// A raw pointer handed to the bands of one parallel render. Each band writes only its own rows and
/// the caller waits for all of them (DispatchQueue.concurrentPerform), so sharing it is race-free
/// even though the compiler cannot prove it.
struct SendablePointer<Pointee>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Pointee>
}
