/// ResNet v1 (MSRA) bottleneck: the stride sits on the first 1x1 convolution, as the shared trunk
/// weights were trained (torchvision's v1.5 puts it on the 3x3; same shapes, different network).
/// A strided 1x1 is also 4x cheaper than a strided 3x3 preceded by a full-resolution 1x1.
struct Bottleneck: Sendable {
    let conv1: Conv2D
    let conv2: Conv2D
    let conv3: Conv2D
    let downsample: Conv2D?

    init(file: SafetensorsFile, prefix p: String, stride: Int, eps: Float) throws(SafetensorsError) {
        conv1 = try Conv2D(file: file, weight: "\(p).conv1", bn: "\(p).bn1", eps: eps, stride: stride, padding: 0)
        conv2 = try Conv2D(file: file, weight: "\(p).conv2", bn: "\(p).bn2", eps: eps, stride: 1, padding: 1)
        conv3 = try Conv2D(file: file, weight: "\(p).conv3", bn: "\(p).bn3", eps: eps, stride: 1, padding: 0)
        if file.tensors["\(p).downsample.0.weight"] != nil {
            downsample = try Conv2D(file: file, weight: "\(p).downsample.0", bn: "\(p).downsample.1", eps: eps,
                                    stride: stride, padding: 0)
        } else {
            guard stride == 1, conv1.inChannels == conv3.outChannels else { throw .missingTensor(name: "\(p).downsample.0.weight") }
            downsample = nil
        }
    }

    func forward(_ x: Tensor, scratch: inout WorkerScratch) -> Tensor {
        let identity = downsample?.forward(x, relu: false, scratch: &scratch) ?? x
        var y = conv1.forward(x, relu: true, scratch: &scratch)
        y = conv2.forward(y, relu: true, scratch: &scratch)
        return conv3.forward(y, relu: true, residual: identity, scratch: &scratch)
    }
}
