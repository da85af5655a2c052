/// Per-worker buffers of the colour pass, reused across rows, tiles and requests: a render allocates
/// nothing per pixel. Not Sendable on purpose: one worker owns one workspace.
@_spi(Planes) public struct RenderWorkspace {
    var scratch = ScratchBuffer()

    public init() {}
}
