import Dispatch
import Synchronization

/// The engine's one parallel loop: tasks handed out one at a time to up to `workers` threads, each of
/// which takes the next task as it finishes (so a core slowed by another job does less, not
/// everyone waits for it). `worker` indexes per-thread scratch: one worker runs its tasks in turn.
///
/// The contract that makes this race-free, which the compiler cannot check: distinct tasks write
/// disjoint memory (their own tiles, rows or channels, their worker's scratch), and `run` returns
/// only when every task has finished, so nothing the body captures outlives the call.
enum ParallelWork {
    /// The body handed to Dispatch's threads under the contract above.
    private struct SharedBody: @unchecked Sendable {
        let call: (_ task: Int, _ worker: Int) -> Void
    }

    static func run(tasks: Int, workers: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
        let threads = min(workers, tasks)
        guard threads > 1 else {
            for task in 0..<tasks { body(task, 0) }
            return
        }
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let shared = SharedBody(call: body)
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                while true {
                    let task = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard task < tasks else { return }
                    shared.call(task, worker)
                }
            }
        }
    }

    /// 0..<count in about `4 × workers` contiguous chunks, for loops whose iterations are tiny.
    static func chunks(of count: Int, workers: Int, _ body: (_ range: Range<Int>, _ worker: Int) -> Void) {
        let pieces = max(1, min(count, workers > 1 ? 4 * workers : 1))
        run(tasks: pieces, workers: workers) { piece, worker in
            let lo = count * piece / pieces, hi = count * (piece + 1) / pieces
            if lo < hi { body(lo..<hi, worker) }
        }
    }
}
