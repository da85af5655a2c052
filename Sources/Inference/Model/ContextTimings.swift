/// Wall-clock time of each stage of one context pass, for benchmarks and the service's stage log.
public struct ContextTimings: Sendable {
    public var trunk: Duration = .zero
    public var renet: Duration = .zero
    /// Normalisation and the folded per-scale projections.
    public var fold: Duration = .zero

    public init() {}
}
