import AdjustService
import Foundation
import Locks
import Testing

/// Idle jobs use only workers no request wants: they wait while requests queue, a request stops a
/// running one at its next check, and a stopped one runs again from the start once the pool is idle.
struct WorkerPoolIdleTests {
    /// Waits for `condition` and fails the test when it does not come: a test whose setup never
    /// happened must not go on to check an order it did not set up. The bound is long because a
    /// loaded machine (the sanitizer runs, CI beside other jobs) can start a Task seconds late.
    static func waitUntil(_ condition: () -> Bool, seconds: Int = 60,
                          sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try #require(condition(), "waited \(seconds) s", sourceLocation: sourceLocation)
    }

    @Test func runsWhenNothingElseIsQueued() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 4)
        defer { pool.shutdown() }
        let ran = LockedValue(0)
        pool.runWhenIdle { _ in ran.withLock { $0 += 1 }; return true }
        try await Self.waitUntil { pool.idleStatistics.completed == 1 }
        #expect(ran.withLock { $0 } == 1)
    }

    @Test func waitsForQueuedRequests() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 4)
        defer { pool.shutdown() }
        let order = LockedValue<[String]>([])
        // The first request holds the only worker until the second is queued, and queues the idle
        // job itself: both then wait behind it, whenever the test's tasks get to run.
        let busy = Task {
            try await pool.run { _ in
                let deadline = ContinuousClock.now + .seconds(60)
                while pool.statistics.queued < 1, ContinuousClock.now < deadline { usleep(1000) }
                pool.runWhenIdle { _ in order.withLock { $0.append("idle") }; return true }
                order.withLock { $0.append("first") }
            }
        }
        try await Self.waitUntil { pool.statistics.running == 1 }
        let second = Task { try await pool.run { _ in order.withLock { $0.append("second") } } }
        try await busy.value
        try await second.value
        try await Self.waitUntil { pool.idleStatistics.completed == 1 }
        #expect(order.withLock { $0 } == ["first", "second", "idle"])
    }

    /// A request admitted while an idle job runs on the only worker sets the job's flag; the job
    /// stops, the request runs, and the job starts over and finishes.
    @Test func aRequestPreemptsRunningIdleWorkWhichStartsAgain() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 4)
        defer { pool.shutdown() }
        let starts = LockedValue(0), log = LockedValue<[String]>([])
        pool.runWhenIdle { flag in
            let attempt = starts.withLock { $0 += 1; return $0 }
            // The first attempt spins until preempted; the second finishes at once.
            while attempt == 1, !flag.isCancelled { usleep(1000) }
            log.withLock { $0.append(flag.isCancelled ? "idle stopped" : "idle done") }
            return !flag.isCancelled
        }
        try await Self.waitUntil { pool.idleStatistics.running == 1 }
        try await pool.run { _ in log.withLock { $0.append("request") } }
        try await Self.waitUntil { pool.idleStatistics.completed == 1 }
        #expect(log.withLock { $0 } == ["idle stopped", "request", "idle done"])
        #expect(starts.withLock { $0 } == 2)
    }

    /// With a second worker free, a request does not disturb idle work on the first.
    @Test func aFreeWorkerTakesTheRequestInstead() async throws {
        let pool = WorkerPool(workerCount: 2, queueCapacity: 4)
        defer { pool.shutdown() }
        let gate = Gate(), stopped = LockedValue(false)
        pool.runWhenIdle { flag in
            gate.wait()
            stopped.withLock { $0 = flag.isCancelled }
            return true
        }
        try await Self.waitUntil { pool.idleStatistics.running == 1 }
        #expect(try await pool.run { _ in 7 } == 7)
        gate.open()
        try await Self.waitUntil { pool.idleStatistics.completed == 1 }
        #expect(!stopped.withLock { $0 })
    }

    @Test func keepsAtMostItsCapacityDroppingTheOldest() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 4, idleCapacity: 2)
        defer { pool.shutdown() }
        let gate = Gate(), ran = LockedValue<[Int]>([])
        let busy = Task { try await pool.run { _ in gate.wait() } }
        try await Self.waitUntil { pool.statistics.running == 1 }
        for i in 0..<4 { pool.runWhenIdle { _ in ran.withLock { $0.append(i) }; return true } }
        #expect(pool.idleStatistics.queued == 2)
        gate.open()
        try await busy.value
        try await Self.waitUntil { pool.idleStatistics.completed == 2 }
        #expect(ran.withLock { $0 } == [3, 2], "newest first; 0 and 1 were dropped")
    }

    /// After a request, idle work waits out the grace: back-to-back requests leave it no gap.
    @Test func waitsTheGraceAfterARequest() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 4, idleGrace: .milliseconds(300))
        defer { pool.shutdown() }
        let started = LockedValue<ContinuousClock.Instant?>(nil), finished = LockedValue<ContinuousClock.Instant?>(nil)
        // Queued and timed from inside the request, on the worker: the test task itself may resume
        // long after the request ends when the machine is busy.
        try await pool.run { _ in
            pool.runWhenIdle { _ in started.withLock { $0 = .now }; return true }
            finished.withLock { $0 = .now }
        }
        try await Self.waitUntil { pool.idleStatistics.completed == 1 }
        let at = try #require(started.withLock { $0 }), end = try #require(finished.withLock { $0 })
        #expect(at - end >= .milliseconds(300), "started \(at - end) after the request")
    }

    @Test func shutdownDropsWaitingIdleWork() async throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 4)
        let gate = Gate(), ran = LockedValue(false)
        let busy = Task { try await pool.run { _ in gate.wait() } }
        try await Self.waitUntil { pool.statistics.running == 1 }
        pool.runWhenIdle { _ in ran.withLock { $0 = true }; return true }
        pool.shutdown()
        gate.open()
        try await busy.value
        try await Task.sleep(for: .milliseconds(50))
        #expect(!ran.withLock { $0 } && pool.idleStatistics.queued == 0)
    }
}
