/// Max pooling with implicit −∞ padding (PyTorch semantics): ResNet's 3x3 / stride 2 / pad 1.
struct MaxPool2D: Sendable {
    var kernel = 3
    var stride = 2
    var padding = 1

    func forward(_ x: Tensor) -> Tensor {
        let (h, w) = (x.height, x.width)
        let ho = (h + 2 * padding - kernel) / stride + 1
        let wo = (w + 2 * padding - kernel) / stride + 1
        var out = Tensor(channels: x.channels, height: ho, width: wo)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<x.channels {
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
        return out
    }
}
