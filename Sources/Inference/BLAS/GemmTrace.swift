import Locks
import Synchronization

/// One sgemm call's shape as the engine made it (row-major, as `BLAS.gemm` takes it).
public struct GemmCall: Sendable, Hashable {
    public let m: Int, n: Int, k: Int
    public let lda: Int, ldb: Int, ldc: Int
    public let transA: Bool, transB: Bool
    public let beta: Float

    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// Records the shapes of the sgemm calls a piece of engine work makes, so a benchmark can replay
/// them alone and separate the time spent in OpenBLAS's kernels from everything around them.
/// Off by default: the hot path pays one relaxed atomic load per gemm call.
public enum GemmTrace {
    private static let enabled = Atomic<Bool>(false)
    private static let calls = LockedValue<[GemmCall]>([])

    /// `body`'s result and the gemm calls it made (from every thread), in the order they were made.
    /// Not reentrant; meant for a benchmark that runs nothing else meanwhile.
    public static func recording<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> (T, [GemmCall]) {
        calls.withLock { $0.removeAll() }
        enabled.store(true, ordering: .sequentiallyConsistent)
        defer { enabled.store(false, ordering: .sequentiallyConsistent) }
        let result = try body()
        return (result, calls.withLock { $0 })
    }

    @inline(__always) static func note(_ call: @autoclosure () -> GemmCall) {
        guard enabled.load(ordering: .relaxed) else { return }
        let c = call()
        calls.withLock { $0.append(c) }
    }
}
