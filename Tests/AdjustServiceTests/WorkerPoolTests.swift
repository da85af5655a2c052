import AdjustService
import Foundation
import Locks
import Testing

/// A gate jobs can wait on, so tests control exactly when workers are busy.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func wait() { semaphore.wait() }
    func open(_ count: Int = 1) { for _ in 0..<count { semaphore.signal() } }
}

struct WorkerPoolTests {
    @Test func runsJobsOnWorkerThreadsAndReturnsResults() async throws {
        let pool = WorkerPool(workerCount: 2, queueCapacity: 64)
        defer { pool.shutdown() }
        let results = try await withThrowingTaskGroup(of: (Int, UInt).self) { group in
            for i in 0..<40 {
                group.addTask { try await pool.run { _ in (i * i, UInt(pthread_self())) } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.map(\.0).sorted() == (0..<40).map { $0 * $0 })
        // Every job ran on one of the pool's two dedicated threads, whatever task submitted it.
        #expect(Set(results.map(\.1)).count <= 2)
        // A worker counts a job after handing its result over, so the last count may trail the
        // last result by a moment; wait for it, bounded.
        let deadline = ContinuousClock.now + .seconds(5)
        while pool.statistics.completed < 40, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(pool.statistics.completed == 40)
    }

    @Test func errorsThrownByWorkReachTheCaller() async {
        struct Failure: Error, Equatable {}
        let pool = WorkerPool(workerCount: 1, queueCapacity: 1)
        defer { pool.shutdown() }
        await #expect(throws: Failure.self) { try await pool.run { _ -> Int in throw Failure() } }
    }

    @Test func fullQueueIsRefusedAtOnceWithRetryAfter() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 2)
        defer { pool.shutdown() }
        let gate = Gate()
        // One running + two queued fill the pool.
        let admitted = (0..<3).map { i in Task { try await pool.run { _ in gate.wait(); return i } } }
        while pool.statistics.running + pool.statistics.queued < 3 { try await Task.sleep(for: .milliseconds(5)) }
        let started = ContinuousClock.now
        await #expect {
            try await pool.run { _ in 99 }
        } throws: { error in
            guard case .overloaded(let seconds) = error as? AdmissionError else { return false }
            return seconds >= 1
        }
        #expect(ContinuousClock.now - started < .milliseconds(200), "refusal must not wait")
        #expect(pool.statistics.rejected == 1)
        // The same refusal without a job, for callers that refuse before reading an upload.
        guard case .overloaded = pool.refusal() else { Issue.record("a full pool refuses a job it has not seen"); return }
        #expect(pool.statistics.rejected == 2)
        gate.open(3)
        var values: [Int] = []
        for task in admitted { values.append(try await task.value) }
        #expect(values == [0, 1, 2])
    }

    @Test func aPoolWithRoomRefusesNothing() {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 0)
        #expect(pool.refusal() == nil)
        pool.shutdown()
        #expect(pool.refusal() == .shuttingDown)
    }

    @Test func queuedJobPastItsDeadlineIsNotRun() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 2)
        defer { pool.shutdown() }
        let gate = Gate()
        let ran = LockedValue(false)
        let blocker = Task { try await pool.run { _ in gate.wait() } }
        while pool.statistics.running < 1 { try await Task.sleep(for: .milliseconds(5)) }
        // The deadline is fixed before the task exists and the worker is released only once the job
        // is known to be queued and its deadline has passed, so a slow scheduler cannot let it run.
        let deadline = ContinuousClock.now + .milliseconds(50)
        let late = Task {
            try await pool.run(deadline: deadline) { _ in ran.withLock { $0 = true } }
        }
        while pool.statistics.queued < 1 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(until: deadline + .milliseconds(100))
        gate.open()
        try await blocker.value
        await #expect(throws: AdmissionError.deadlineExceeded) { try await late.value }
        #expect(ran.withLock { $0 } == false)
    }

    @Test func cancelledCallerLeavesTheQueue() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 2)
        defer { pool.shutdown() }
        let gate = Gate()
        let blocker = Task { try await pool.run { _ in gate.wait() } }
        while pool.statistics.running < 1 { try await Task.sleep(for: .milliseconds(5)) }
        let waiting = Task { try await pool.run { _ in 1 } }
        while pool.statistics.queued < 1 { try await Task.sleep(for: .milliseconds(5)) }
        waiting.cancel()
        await #expect(throws: AdmissionError.cancelled) { try await waiting.value }
        #expect(pool.statistics.queued == 0)
        gate.open()
        try await blocker.value
    }

    @Test func runningJobSeesItsCallerCancel() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 0)
        defer { pool.shutdown() }
        let job = Task {
            try await pool.run { flag -> Bool in
                let until = ContinuousClock.now + .seconds(3)
                while !flag.isCancelled && ContinuousClock.now < until { usleep(1000) }
                return flag.isCancelled
            }
        }
        while pool.statistics.running < 1 { try await Task.sleep(for: .milliseconds(5)) }
        job.cancel()
        #expect(try await job.value == true)
    }

    @Test func shutdownFailsQueuedJobs() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 2)
        let gate = Gate()
        let blocker = Task { try await pool.run { _ in gate.wait() } }
        while pool.statistics.running < 1 { try await Task.sleep(for: .milliseconds(5)) }
        let queued = Task { try await pool.run { _ in 1 } }
        while pool.statistics.queued < 1 { try await Task.sleep(for: .milliseconds(5)) }
        pool.shutdown()
        await #expect(throws: AdmissionError.shuttingDown) { try await queued.value }
        await #expect(throws: AdmissionError.shuttingDown) { try await pool.run { _ in 2 } }
        gate.open()
        try await blocker.value
    }
}
