import CEngineKernels

/// ResNet's max pooling, 3x3 / stride 2 / padding 1 with implicit −∞ padding (PyTorch semantics),
/// the only geometry the trunk has: one vectorised C kernel (sa_maxpool_3x3s2), channel chunks in
/// parallel.
struct MaxPool2D: Sendable {
    /// Channels are split over `workers` threads.
    func forward(_ x: Tensor, workers: Int = 1) -> Tensor {
        let (h, w) = (x.height, x.width)
        let (ho, wo) = ((h - 1) / 2 + 1, (w - 1) / 2 + 1)
        var out = Tensor(uninitialized: TensorShape(channels: x.channels, height: ho, width: wo))
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                ParallelWork.chunks(of: x.channels, workers: workers) { channels, _ in
                    var rowMax = [Float](repeating: 0, count: wo)
                    rowMax.withUnsafeMutableBufferPointer { r in
                        sa_maxpool_3x3s2(src.baseAddress! + channels.lowerBound * h * w, Int32(channels.count),
                                         Int32(h), Int32(w), Int32(ho), Int32(wo),
                                         dst.baseAddress! + channels.lowerBound * ho * wo, r.baseAddress!)
                    }
                }
            }
        }
        return out
    }
}
