/// ResNet-50 conv1..layer3 with v1 strides, loaded from torchvision key names. Widths and block
/// counts come from the file (the parity fixtures use a reduced width), so one code path serves both.
struct ResNetTrunk: Sendable {
    static let mean: [Float] = [0.485, 0.456, 0.406]
    static let std: [Float] = [0.229, 0.224, 0.225]

    let conv1: Conv2D
    let pool = MaxPool2D()
    let layers: [[Bottleneck]]

    /// The prefix of a trunk embedded in a model file (one fine-tuned with its head, training/train_full.py).
    static let embeddedPrefix = "trunk."
    /// The sha256 of the fp32 weights this trunk was converted from (its file's `source_sha256`), the
    /// value a head trained on them carries as `trunk_sha256`; nil when the file does not say.
    let sourceSHA256: String?

    /// `prefix` is prepended to every torchvision name: "" for the shared trunk file,
    /// `embeddedPrefix` for a trunk inside a model file.
    init(file: SafetensorsFile, prefix: String = "", eps: Float = 1e-5) throws(SafetensorsError) {
        conv1 = try Conv2D(file: file, weight: "\(prefix)conv1", bn: "\(prefix)bn1", eps: eps, stride: 2, padding: 3)
        guard conv1.inChannels == 3, conv1.kernel == 7 else {
            throw .shapeMismatch(name: "\(prefix)conv1.weight", expected: [conv1.outChannels, 3, 7, 7],
                                 actual: try file.info("\(prefix)conv1.weight").shape)
        }
        var layers: [[Bottleneck]] = []
        for (i, stride) in [1, 2, 2].enumerated() {
            var blocks: [Bottleneck] = []
            while file.tensors["\(prefix)layer\(i + 1).\(blocks.count).conv1.weight"] != nil {
                blocks.append(try Bottleneck(file: file, prefix: "\(prefix)layer\(i + 1).\(blocks.count)",
                                             stride: blocks.isEmpty ? stride : 1, eps: eps))
            }
            guard !blocks.isEmpty else { throw .missingTensor(name: "\(prefix)layer\(i + 1).0.conv1.weight") }
            layers.append(blocks)
        }
        self.layers = layers
        sourceSHA256 = prefix.isEmpty ? file.metadata["source_sha256"] : nil
    }

    /// Whether a model file carries its own trunk.
    static func isEmbedded(in file: SafetensorsFile) -> Bool {
        file.tensors["\(embeddedPrefix)conv1.weight"] != nil
    }

    var conv1Channels: Int { conv1.outChannels }
    var channels: [Int] { layers.map { $0.last!.conv3.outChannels } }

    /// rgb: 3 planes of sRGB in [0, 1] at the working resolution. The ImageNet normalisation is applied
    /// here rather than folded into conv1, because conv1's zero padding is zero *after* normalisation.
    func forward(rgb: Tensor, scratch: inout WorkerScratch) -> TrunkFeatures {
        precondition(rgb.channels == 3, "trunk input must be 3 planes, got \(rgb.shape)")
        var x = rgb
        let plane = rgb.shape.plane
        x.withUnsafeMutableBufferPointer { p in
            for c in 0..<3 {
                let m = Self.mean[c], inv = 1 / Self.std[c]
                for i in (c * plane)..<((c + 1) * plane) { p[i] = (p[i] - m) * inv }
            }
        }
        let c1 = conv1.forward(x, relu: true, scratch: &scratch)
        var f = pool.forward(c1, workers: scratch.workers)
        var outs: [Tensor] = []
        for layer in layers {
            for block in layer { f = block.forward(f, scratch: &scratch) }
            outs.append(f)
        }
        return TrunkFeatures(conv1: c1, layer1: outs[0], layer2: outs[1], layer3: outs[2])
    }
}
