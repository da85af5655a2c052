/// The trunk outputs the head uses (paper: conv1 after BN+ReLU, layer1, layer2, layer3).
public struct TrunkFeatures: Sendable {
    public let conv1: Tensor
    public let layer1: Tensor
    public let layer2: Tensor
    public let layer3: Tensor
}
