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
///
/// Idle work (`runWhenIdle`): speculative jobs that only ever use a worker no request wants. A
/// worker takes one only when no request waits and none has come or gone for `idleGrace` (a
/// client sending requests back to back leaves gaps of a millisecond, not worth starting in); a
/// request admitted while one runs on the last free worker cancels its flag, so the idle job stops
/// at its next check and the request gets the worker, and the idle job goes back to the front of
/// its queue to go on once the pool is idle again. The newest idle job runs first: it belongs to
/// the photo its user is likeliest to be editing.
public final class WorkerPool: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var queued: Int
        public var running: Int
        public var completed: Int
        public var rejected: Int
    }

    private final class IdleJob: Sendable {
        let run: @Sendable (CancellationFlag) -> Bool
        let flag = CancellationFlag()

        init(run: @escaping @Sendable (CancellationFlag) -> Bool) {
            self.run = run
        }

        /// The same work with a fresh flag, to start again after a preemption.
        func again() -> IdleJob { IdleJob(run: run) }
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
        /// Idle jobs waiting, newest first, and those running now.
        var idleQueue: [IdleJob] = []
        var idleRunning: [IdleJob] = []
        var idleCompleted = 0
        var running = 0
        var completed = 0
        var rejected = 0
        var stopping = false
        /// Exponentially weighted mean job duration, for Retry-After.
        var meanSeconds = 1.0
        /// When a request was last admitted or finished: idle work waits `idleGrace` after it.
        var lastForegroundActivity = ContinuousClock.now
    }

    public let workerCount: Int
    public let queueCapacity: Int
    /// Idle jobs allowed to wait; beyond it the oldest waiting one is dropped.
    public let idleCapacity: Int
    /// How long the pool must have been without requests before idle work starts.
    public let idleGrace: Duration
    private let state = LockedValue(State())
    private let wakeup = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - workerCount: threads running jobs (typically cores ÷ BLAS threads per job).
    ///   - queueCapacity: jobs allowed to wait; beyond it `run` fails with `overloaded`.
    ///   - name: prefix of the workers' Foundation thread names.
    ///   - idleCapacity: idle jobs kept waiting (`runWhenIdle`), newest first.
    ///   - idleGrace: how long after the last request idle work may start.
    public init(workerCount: Int, queueCapacity: Int, idleCapacity: Int = 1, idleGrace: Duration = .milliseconds(20),
                name: String = "sa-worker") {
        precondition(workerCount > 0 && queueCapacity >= 0 && idleCapacity >= 0 && idleGrace >= .zero)
        self.workerCount = workerCount
        self.queueCapacity = queueCapacity
        self.idleCapacity = idleCapacity
        self.idleGrace = idleGrace
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

    /// Idle jobs waiting, running, and finished (returned true).
    public var idleStatistics: (queued: Int, running: Int, completed: Int) {
        state.withLock { ($0.idleQueue.count, $0.idleRunning.count, $0.idleCompleted) }
    }

    /// Queues `work` to run on a worker when no request needs one. `work` polls its flag and
    /// returns false when it stopped because the flag was set (it is then called again once the
    /// pool is idle: work that keeps its progress goes on), true when it is done (or has nothing
    /// to do). Never blocks; beyond `idleCapacity` waiting jobs the oldest is dropped.
    public func runWhenIdle(_ work: @escaping @Sendable (CancellationFlag) -> Bool) {
        let accepted = state.withLock { s -> Bool in
            guard !s.stopping, idleCapacity > 0 else { return false }
            // Newest first; the oldest waiting one gives way.
            s.idleQueue.insert(IdleJob(run: work), at: 0)
            if s.idleQueue.count > idleCapacity { s.idleQueue.removeLast() }
            return true
        }
        if accepted { wakeup.signal() }
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

    /// The refusal a job would meet now (the queue full, or shutting down), counted as a rejection;
    /// nil when it would be queued. For work that is costly before it reaches the queue (reading a
    /// large upload): refused early, it costs nothing. The job itself is still admitted by `run`.
    public func refusal() -> AdmissionError? {
        state.withLock { s -> AdmissionError? in
            if s.stopping { return .shuttingDown }
            guard s.running + s.queue.count < workerCount + queueCapacity else {
                s.rejected += 1
                return .overloaded(retryAfterSeconds: Self.retryAfter(s, workers: workerCount))
            }
            return nil
        }
    }

    /// Seconds until the queue has likely moved by one wave of jobs.
    private static func retryAfter(_ s: State, workers: Int) -> Int {
        let waves = Double(s.queue.count + s.running) / Double(workers)
        return max(1, Int((waves * s.meanSeconds).rounded(.up)))
    }

    /// Stops taking work; queued jobs fail with `shuttingDown`, running ones finish.
    public func shutdown() {
        let dropped = state.withLock { s -> [Job] in
            s.stopping = true
            s.idleQueue.removeAll()
            for idle in s.idleRunning { idle.flag.cancel() }
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
                return .overloaded(retryAfterSeconds: Self.retryAfter(s, workers: workerCount))
            }
            s.queue.append(job)
            s.lastForegroundActivity = .now
            // Idle work gives way where no worker is free for the queue: such an idle job stops
            // at its next check.
            var short = s.queue.count - (workerCount - s.running - s.idleRunning.count)
            for idle in s.idleRunning where short > 0 && !idle.flag.isCancelled {
                idle.flag.cancel()
                short -= 1
            }
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

    private enum Next {
        case job(Job)
        case idle(IdleJob)
        /// Nothing to do: wait for a signal, or at most until the instant idle work may start.
        case wait(until: ContinuousClock.Instant?)
        case stop
    }

    /// Looks for work first and waits only when there is none, so a wait that timed out (idle work
    /// whose grace had not passed) loses no signal: a signal left over only makes a later wait
    /// return at once and look again.
    private func workerLoop() {
        while true {
            let now = ContinuousClock.now
            let next = state.withLock { s -> Next in
                if !s.queue.isEmpty {
                    let job = s.queue.removeFirst()
                    job.started = true
                    s.running += 1
                    return .job(job)
                }
                if s.stopping { return .stop }
                // Idle work waits for the pool to be idle: while a request runs, the worker that
                // finishes it looks again (no timed polling meanwhile), then the grace is waited out.
                guard !s.idleQueue.isEmpty, s.running == 0 else { return .wait(until: nil) }
                let allowed = s.lastForegroundActivity + idleGrace
                guard now >= allowed else { return .wait(until: allowed) }
                let idle = s.idleQueue.removeFirst()
                s.idleRunning.append(idle)
                return .idle(idle)
            }
            let job: Job
            switch next {
            case .job(let j): job = j
            case .idle(let idle):
                runIdle(idle)
                continue
            case .wait(let until):
                if let until {
                    _ = wakeup.wait(timeout: .now() + .nanoseconds(max(0, Int((until - now) / .nanoseconds(1)))))
                } else {
                    wakeup.wait()
                }
                continue
            case .stop: return
            }
            let start = ContinuousClock.now
            if let deadline = job.deadline, start > deadline {
                job.fail(.deadlineExceeded)
            } else {
                job.run(job.flag)
            }
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            state.withLock { s in
                s.running -= 1
                s.completed += 1
                s.lastForegroundActivity = .now
                s.meanSeconds = 0.8 * s.meanSeconds + 0.2 * seconds
            }
        }
    }

    private func runIdle(_ idle: IdleJob) {
        let finished = idle.run(idle.flag)
        let requeued = state.withLock { s -> Bool in
            s.idleRunning.removeAll { $0 === idle }
            if finished {
                s.idleCompleted += 1
                return false
            }
            guard !s.stopping else { return false }
            // Preempted: first in line again, with a fresh flag.
            s.idleQueue.insert(idle.again(), at: 0)
            if s.idleQueue.count > idleCapacity { s.idleQueue.removeLast() }
            return true
        }
        if requeued { wakeup.signal() }
    }
}
