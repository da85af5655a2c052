import Locks

/// Told when the body's consumer wants more bytes: the first time it asks (time to send
/// `100 Continue`) and whenever it has drained the buffer below its low-water mark after the
/// producer was told to pause.
protocol BodyChannelDelegate: AnyObject, Sendable {
    func bodyConsumerWantsMore()
}

/// The hand-over point between the connection (producer, on its Dispatch queue) and the handler
/// (consumer, in a Task): a bounded buffer of chunks with a single waiting consumer.
final class BodyChannel: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var bufferedBytes = 0
        var peakBufferedBytes = 0
        var finished = false
        var failure: (any Error)?
        var trailers = HTTPHeaders()
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var demandSignalled = false
        var producerPaused = false
        var consumerGone = false
    }

    private let state = LockedValue(State())
    private let highWaterMark: Int
    private let lowWaterMark: Int
    private weak let delegate: (any BodyChannelDelegate)?

    init(highWaterMark: Int, delegate: (any BodyChannelDelegate)?) {
        self.highWaterMark = highWaterMark
        self.lowWaterMark = highWaterMark / 2
        self.delegate = delegate
    }

    // MARK: Producer side (connection queue)

    /// Hands a chunk over; returns false when the producer should stop reading until told.
    func push(_ chunk: [UInt8]) -> Bool {
        let (waiter, keepReading) = state.withLock { s -> (CheckedContinuation<[UInt8]?, any Error>?, Bool) in
            if s.consumerGone { return (nil, true) }
            if let waiter = s.waiter {
                s.waiter = nil
                return (waiter, true)
            }
            s.chunks.append(chunk)
            s.bufferedBytes += chunk.count
            s.peakBufferedBytes = max(s.peakBufferedBytes, s.bufferedBytes)
            if s.bufferedBytes >= highWaterMark {
                s.producerPaused = true
                return (nil, false)
            }
            return (nil, true)
        }
        waiter?.resume(returning: chunk)
        return keepReading
    }

    func finish(trailers: HTTPHeaders) {
        let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            s.finished = true
            s.trailers = trailers
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    func fail(_ error: any Error) {
        let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            if s.finished && s.failure == nil && s.chunks.count == s.head { return nil }
            s.failure = s.failure ?? error
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(throwing: error)
    }

    /// Whether the consumer has asked for body bytes yet (decides whether `100 Continue` was owed).
    var consumerHasAsked: Bool { state.withLock { $0.demandSignalled } }

    /// Marks the consumer as gone (its handler finished): later chunks are dropped, not buffered.
    func abandon() {
        state.withLock { s in
            s.consumerGone = true
            s.chunks.removeAll()
            s.head = 0
            s.bufferedBytes = 0
        }
    }

    var trailers: HTTPHeaders { state.withLock { $0.trailers } }

    /// The most bytes ever waiting here unconsumed: what back-pressure is meant to bound.
    var peakBufferedBytes: Int { state.withLock { $0.peakBufferedBytes } }

    // MARK: Consumer side (handler task)

    func next() async throws -> [UInt8]? {
        enum Step { case chunk([UInt8]), end, failure(any Error), wait }
        let (step, signal) = state.withLock { s -> (Step, Bool) in
            var signal = false
            if !s.demandSignalled {
                s.demandSignalled = true
                signal = true
            }
            if s.head < s.chunks.count {
                let chunk = s.chunks[s.head]
                s.chunks[s.head] = []
                s.head += 1
                s.bufferedBytes -= chunk.count
                if s.head == s.chunks.count {
                    s.chunks.removeAll(keepingCapacity: true)
                    s.head = 0
                }
                if s.producerPaused && s.bufferedBytes <= lowWaterMark {
                    s.producerPaused = false
                    signal = true
                }
                return (.chunk(chunk), signal)
            }
            if let failure = s.failure { return (.failure(failure), signal) }
            if s.finished { return (.end, signal) }
            if s.producerPaused {
                s.producerPaused = false
                signal = true
            }
            return (.wait, signal)
        }
        if signal { delegate?.bodyConsumerWantsMore() }
        switch step {
        case .chunk(let chunk): return chunk
        case .end: return nil
        case .failure(let error): throw error
        case .wait: break
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                let immediate = state.withLock { s -> Result<[UInt8]?, any Error>? in
                    // Re-check: the producer may have acted between the two locks.
                    if s.head < s.chunks.count {
                        let chunk = s.chunks[s.head]
                        s.chunks[s.head] = []
                        s.head += 1
                        s.bufferedBytes -= chunk.count
                        return .success(chunk)
                    }
                    if let failure = s.failure { return .failure(failure) }
                    if s.finished { return .success(nil) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
