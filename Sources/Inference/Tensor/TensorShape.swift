/// Channels x height x width, stored channel-major (CHW): a channel plane is contiguous, which is
/// the layout a convolution-as-gemm writes (Cout x positions) and the colour branch reads per plane.
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    public let channels: Int
    public let height: Int
    public let width: Int

    public init(channels: Int, height: Int, width: Int) {
        precondition(channels >= 0 && height >= 0 && width >= 0, "negative tensor dimension")
        self.channels = channels
        self.height = height
        self.width = width
    }

    public var plane: Int { height * width }
    public var count: Int { channels * height * width }
    public var description: String { "\(channels)x\(height)x\(width)" }
}
