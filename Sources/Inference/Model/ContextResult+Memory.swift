extension ContextResult {
    /// Bytes held by the folded pieces: what caching this context costs (the service's photo cache
    /// budgets by it).
    public var byteCount: Int {
        let floats = ([conv1Piece] + scalePieces).reduce(0) { $0 + $1.height * $1.width * $1.channels }
        return floats * MemoryLayout<Float>.stride
    }
}
