/// Per-worker scratch of the context pass (im2col columns, GRU gates), grown once and reused.
public struct ContextWorkspace {
    var scratch = ScratchBuffer()

    public init() {}
}
