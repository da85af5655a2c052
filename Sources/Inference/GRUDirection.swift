#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One direction of a PyTorch GRU layer: gate rows [r; z; n],
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn)), h' = (1 − z) ∘ n + z ∘ h, h₀ = 0.
struct GRUDirection: Sendable {
    let hidden: Int
    let inputSize: Int
    let weightIH: Matrix  // 3H × input
    let weightHH: Matrix  // 3H × H
    let biasIH: [Float]
    let biasHH: [Float]

    init(file: SafetensorsFile, prefix: String, suffix: String, hidden: Int, inputSize: Int) throws(SafetensorsError) {
        self.hidden = hidden
        self.inputSize = inputSize
        weightIH = try file.matrix("\(prefix).weight_ih_l0\(suffix)", rows: 3 * hidden, cols: inputSize)
        weightHH = try file.matrix("\(prefix).weight_hh_l0\(suffix)", rows: 3 * hidden, cols: hidden)
        biasIH = try file.floats("\(prefix).bias_ih_l0\(suffix)", shape: [3 * hidden])
        biasHH = try file.floats("\(prefix).bias_hh_l0\(suffix)", shape: [3 * hidden])
    }

    /// Runs every sequence of a CHW map at once. Sequence s, step t sits at flat position
    /// s·seqStride + t·stepStride. Output channels [channelOffset, channelOffset + H) of `out`.
    /// The input projection for all positions is one gemm; each step is one gemm over all sequences.
    func run(
        input x: Tensor, sequences: Int, length: Int, seqStride: Int, stepStride: Int, reverse: Bool,
        into out: inout Tensor, channelOffset: Int, scratch: inout ScratchBuffer
    ) {
        let h = hidden, positions = x.shape.plane
        let gx = scratch.pointer(count: 3 * h * positions + 3 * h * sequences + h * sequences)
        let gh = gx + 3 * h * positions
        let state = gh + 3 * h * sequences
        state.update(repeating: 0, count: h * sequences)
        x.withUnsafeBufferPointer { src in
            weightIH.withUnsafeBufferPointer { w in
                BLAS.gemm(m: 3 * h, n: positions, k: inputSize, a: w.baseAddress!, lda: inputSize,
                          b: src.baseAddress!, ldb: positions, c: gx, ldc: positions)
            }
        }
        for g in 0..<(3 * h) {
            let b = biasIH[g]
            for p in 0..<positions { gx[g * positions + p] += b }
        }
        let plane = out.shape.plane
        out.withUnsafeMutableBufferPointer { dst in
            weightHH.withUnsafeBufferPointer { whh in
                for step in 0..<length {
                    let t = reverse ? length - 1 - step : step
                    // gh[3H × S] = W_hh · state[H × S]
                    BLAS.gemm(m: 3 * h, n: sequences, k: h, a: whh.baseAddress!, lda: h,
                              b: state, ldb: sequences, c: gh, ldc: sequences)
                    for j in 0..<h {
                        let br = biasHH[j], bz = biasHH[h + j], bn = biasHH[2 * h + j]
                        for s in 0..<sequences {
                            let p = s * seqStride + t * stepStride
                            let r = sigmoid(gx[j * positions + p] + gh[j * sequences + s] + br)
                            let z = sigmoid(gx[(h + j) * positions + p] + gh[(h + j) * sequences + s] + bz)
                            let n = FastTanh.tanh(gx[(2 * h + j) * positions + p] + r * (gh[(2 * h + j) * sequences + s] + bn))
                            let hn = (1 - z) * n + z * state[j * sequences + s]
                            state[j * sequences + s] = hn
                            dst[(channelOffset + j) * plane + p] = hn
                        }
                    }
                }
            }
        }
    }

    /// σ(v) = (1 + tanh(v/2)) / 2 on the vectorisable rational tanh: libm's expf per gate was the
    /// ReNet's largest non-gemm cost.
    @inline(__always) private func sigmoid(_ v: Float) -> Float { 0.5 + 0.5 * FastTanh.tanh(0.5 * v) }
}
