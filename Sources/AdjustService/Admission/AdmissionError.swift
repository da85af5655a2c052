/// Why work was not run (or its result not delivered).
public enum AdmissionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The queue is full; try again after about this many seconds.
    case overloaded(retryAfterSeconds: Int)
    /// The job's deadline passed while it waited in the queue.
    case deadlineExceeded
    /// The caller went away (task cancelled) before the job ran.
    case cancelled
    /// The pool is shutting down and takes no new work.
    case shuttingDown

    public var description: String {
        switch self {
        case .overloaded(let seconds): "all inference workers are busy and the queue is full; retry in about \(seconds) s"
        case .deadlineExceeded: "the request waited longer than its deadline for an inference worker"
        case .cancelled: "the request was cancelled before it ran"
        case .shuttingDown: "the service is shutting down"
        }
    }
}
