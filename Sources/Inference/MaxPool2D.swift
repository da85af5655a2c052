import CBLAS

/// Max pooling with implicit −∞ padding (PyTorch semantics): ResNet's 3x3 / stride 2 / pad 1.
struct MaxPool2D: Sendable {
    var kernel = 3
    var stride = 2
    var padding = 1

    /// Channels are split over `workers` threads.
    func forward(_ x: Tensor, workers: Int = 1) -> Tensor {
        let (h, w) = (x.height, x.width)
        let ho = (h + 2 * padding - kernel) / stride + 1
        let wo = (w + 2 * padding - kernel) / stride + 1
        var out = Tensor(uninitialized: TensorShape(channels: x.channels, height: ho, width: wo))
        if kernel == 3, stride == 2, padding == 1 {
            // ResNet's pooling: the vectorised kernel, channel chunks in parallel.
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
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                ParallelWork.chunks(of: x.channels, workers: workers) { channels, _ in
                    for c in channels {
                        let plane = src.baseAddress! + c * h * w
                        for oy in 0..<ho {
                            let y0 = max(0, oy * stride - padding), y1 = min(h, oy * stride - padding + kernel)
                            for ox in 0..<wo {
                                let x0 = max(0, ox * stride - padding), x1 = min(w, ox * stride - padding + kernel)
                                var m = -Float.infinity
                                for yy in y0..<y1 { for xx in x0..<x1 { m = max(m, plane[yy * w + xx]) } }
                                dst[(c * ho + oy) * wo + ox] = m
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
