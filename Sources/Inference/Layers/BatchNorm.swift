/// Inference-time batch normalisation as the per-channel affine y = scale·x + shift
/// (scale = γ/√(var+ε), shift = β − mean·scale), ready to fold into the preceding convolution.
struct BatchNorm: Sendable {
    let scale: [Float]
    let shift: [Float]

    init(gamma: [Float], beta: [Float], mean: [Float], variance: [Float], eps: Float) {
        precondition(gamma.count == beta.count && beta.count == mean.count && mean.count == variance.count)
        var scale = [Float](repeating: 0, count: gamma.count)
        var shift = scale
        for c in 0..<gamma.count {
            // In Double: running_var can be tiny, and the folded weights inherit this rounding.
            let s = Double(gamma[c]) / (Double(variance[c]) + Double(eps)).squareRoot()
            scale[c] = Float(s)
            shift[c] = Float(Double(beta[c]) - Double(mean[c]) * s)
        }
        self.scale = scale
        self.shift = shift
    }

    /// Reads `prefix.weight/.bias/.running_mean/.running_var`.
    init(file: SafetensorsFile, prefix: String, channels: Int, eps: Float) throws(SafetensorsError) {
        try self.init(
            gamma: file.floats("\(prefix).weight", shape: [channels]),
            beta: file.floats("\(prefix).bias", shape: [channels]),
            mean: file.floats("\(prefix).running_mean", shape: [channels]),
            variance: file.floats("\(prefix).running_var", shape: [channels]),
            eps: eps)
    }

    var channels: Int { scale.count }

    /// In place on a CHW tensor (the ReNet's BNs, which sit between GRUs and cannot fold into a conv).
    func apply(to t: inout Tensor) {
        precondition(t.channels == channels)
        let plane = t.shape.plane
        t.withUnsafeMutableBufferPointer { p in
            for c in 0..<channels {
                let s = scale[c], b = shift[c]
                let base = p.baseAddress! + c * plane
                for i in 0..<plane { base[i] = base[i] * s + b }
            }
        }
    }
}
