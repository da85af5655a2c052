import Dispatch
import Foundation
import Locks

/// A fixed set of dedicated threads running CPU-heavy jobs (inference, encoding) behind a bounded
/// queue: admission control for the service.
///
/// Why dedicated threads: the HTTP layer's Dispatch queues and Swift's task pool both have about
/// one thread per core; a job that holds a core for hundreds of milliseconds must not sit on
/// either, or request parsing and small answers (health checks, 503s) would wait behind it.
/// With `workers × BLAS threads ≤ cores` nothing is oversubscribed.
///
/// A full queue refuses at once (`overloaded`, with a Retry-After estimate) instead of letting
/// latency grow without bound; a job whose deadline passes in the queue is dropped unrun; a
/// caller that is cancelled removes its job from the queue.
public final class WorkerPool: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var queued: Int
        public var running: Int
        public var completed: Int
        public var rejected: Int
    }

    private final class Job: @unchecked Sendable {
        // @unchecked: `state` is only touched under the pool's lock.
        let run: @Sendable (CancellationFlag) -> Void
        let fail: @Sendable (AdmissionError) -> Void
        let deadline: ContinuousClock.Instant?
        let flag = CancellationFlag()
        var started = false

        init(deadline: ContinuousClock.Instant?, run: @escaping @Sendable (CancellationFlag) -> Void, fail: @escaping @Sendable (AdmissionError) -> Void) {
            self.deadline = deadline
            self.run = run
            self.fail = fail
        }
    }

    private struct State {
        var queue: [Job] = []
        var running = 0
        var completed = 0
        var rejected = 0
        var stopping = false
        /// Exponentially weighted mean job duration, for Retry-After.
        var meanSeconds = 1.0
    }

    public let workerCount: Int
    public let queueCapacity: Int
    private let state = LockedValue(State())
    private let wakeup = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - workerCount: threads running jobs (typically cores ÷ BLAS threads per job).
    ///   - queueCapacity: jobs allowed to wait; beyond it `run` fails with `overloaded`.
    ///   - name: prefix of the workers' Foundation thread names.
    public init(workerCount: Int, queueCapacity: Int, name: String = "sa-worker") {
        precondition(workerCount > 0 && queueCapacity >= 0)
        self.workerCount = workerCount
        self.queueCapacity = queueCapacity
        for index in 0..<workerCount {
            let threadName = "\(name)-\(index)"
            let thread = Thread { [self] in workerLoop() }
            thread.name = threadName
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public var statistics: Statistics {
        state.withLock { Statistics(queued: $0.queue.count, running: $0.running, completed: $0.completed, rejected: $0.rejected) }
    }

    /// Runs `work` on a worker thread and returns its result.
    ///
    /// - Throws: `AdmissionError` when the job was not run, or whatever `work` threw.
    public func run<T: Sendable>(
        deadline: ContinuousClock.Instant? = nil,
        _ work: @escaping @Sendable (CancellationFlag) throws -> T
    ) async throws -> T {
        let holder = LockedValue<Job?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = Job(
                    deadline: deadline,
                    run: { flag in continuation.resume(with: Result { try work(flag) }) },
                    fail: { error in continuation.resume(throwing: error) }
                )
                holder.withLock { $0 = job }
                if let refusal = admit(job) {
                    job.fail(refusal)
                } else if Task.isCancelled {
                    cancel(job)
                }
            }
        } onCancel: {
            if let job = holder.withLock({ $0 }) { cancel(job) }
        }
    }

    /// Stops taking work; queued jobs fail with `shuttingDown`, running ones finish.
    public func shutdown() {
        let dropped = state.withLock { s -> [Job] in
            s.stopping = true
            defer { s.queue.removeAll() }
            return s.queue
        }
        for job in dropped { job.fail(.shuttingDown) }
        for _ in 0..<workerCount { wakeup.signal() }
    }

    private func admit(_ job: Job) -> AdmissionError? {
        let refusal = state.withLock { s -> AdmissionError? in
            if s.stopping { return .shuttingDown }
            // Room for one job per worker plus `queueCapacity` waiting.
            guard s.running + s.queue.count < workerCount + queueCapacity else {
                s.rejected += 1
                let waves = Double(s.queue.count + s.running) / Double(workerCount)
                return .overloaded(retryAfterSeconds: max(1, Int((waves * s.meanSeconds).rounded(.up))))
            }
            s.queue.append(job)
            return nil
        }
        if refusal == nil { wakeup.signal() }
        return refusal
    }

    private func cancel(_ job: Job) {
        job.flag.cancel()
        let removed = state.withLock { s -> Bool in
            guard !job.started, let index = s.queue.firstIndex(where: { $0 === job }) else { return false }
            s.queue.remove(at: index)
            return true
        }
        if removed { job.fail(.cancelled) }
    }

    private func workerLoop() {
        while true {
            wakeup.wait()
            let next = state.withLock { s -> (Job?, Bool) in
                guard !s.queue.isEmpty else { return (nil, s.stopping) }
                let job = s.queue.removeFirst()
                job.started = true
                s.running += 1
                return (job, false)
            }
            guard let job = next.0 else {
                if next.1 { return }
                continue
            }
            let start = ContinuousClock.now
            if let deadline = job.deadline, start > deadline {
                job.fail(.deadlineExceeded)
            } else {
                job.run(job.flag)
            }
            let elapsed = (ContinuousClock.now - start).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            state.withLock { s in
                s.running -= 1
                s.completed += 1
                s.meanSeconds = 0.8 * s.meanSeconds + 0.2 * seconds
            }
        }
    }
}
