import CEngineKernels

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

    init(weightIH: Matrix, weightHH: Matrix, biasIH: [Float], biasHH: [Float]) {
        hidden = weightHH.cols
        inputSize = weightIH.cols
        precondition(weightIH.rows == 3 * hidden && weightHH.rows == 3 * hidden, "GRU gate rows must be 3H")
        precondition(biasIH.count == 3 * hidden && biasHH.count == 3 * hidden, "GRU biases must be 3H")
        self.weightIH = weightIH
        self.weightHH = weightHH
        self.biasIH = biasIH
        self.biasHH = biasHH
    }

    init(file: SafetensorsFile, prefix: String, suffix: String, hidden: Int, inputSize: Int) throws(SafetensorsError) {
        self.hidden = hidden
        self.inputSize = inputSize
        weightIH = try file.matrix("\(prefix).weight_ih_l0\(suffix)", rows: 3 * hidden, cols: inputSize)
        weightHH = try file.matrix("\(prefix).weight_hh_l0\(suffix)", rows: 3 * hidden, cols: hidden)
        biasIH = try file.floats("\(prefix).bias_ih_l0\(suffix)", shape: [3 * hidden])
        biasHH = try file.floats("\(prefix).bias_hh_l0\(suffix)", shape: [3 * hidden])
    }

    /// Floats of scratch `run` needs: the input projection of every position, the hidden projection
    /// and the state of every sequence, and the combined biases.
    func scratchCount(positions: Int, sequences: Int) -> Int {
        3 * hidden * positions + 3 * hidden * sequences + hidden * sequences + 4 * hidden
    }

    /// Runs the `sequences` columns of a CHW map (plane `positions` = length × sequences) at once:
    /// sequence s, step t is position t·sequences + s, so each step's sequences are contiguous (the
    /// caller transposes a map to run along its rows). Writes H output channels from `out` (CHW, same
    /// plane) and uses `scratch` (`scratchCount` floats). Single-threaded: the two directions of a layer
    /// run side by side. The input projection for all positions is one gemm; each step is one gemm
    /// over all sequences and one sa_gru_step.
    func run(
        input x: UnsafePointer<Float>, positions: Int, sequences: Int, reverse: Bool,
        into out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let h = hidden, length = positions / sequences
        precondition(length * sequences == positions, "\(positions) positions are not \(sequences) columns")
        let gx = scratch
        let gh = gx + 3 * h * positions
        let state = gh + 3 * h * sequences
        let biasR = state + h * sequences, biasZ = biasR + h, biasInN = biasZ + h, biasHidN = biasInN + h
        state.update(repeating: 0, count: h * sequences)
        for j in 0..<h {
            biasR[j] = biasIH[j] + biasHH[j]
            biasZ[j] = biasIH[h + j] + biasHH[h + j]
            biasInN[j] = biasIH[2 * h + j]
            biasHidN[j] = biasHH[2 * h + j]
        }
        weightIH.withUnsafeBufferPointer { w in
            BLAS.gemm(m: 3 * h, n: positions, k: inputSize, a: w.baseAddress!, lda: inputSize,
                      b: x, ldb: positions, c: gx, ldc: positions)
        }
        weightHH.withUnsafeBufferPointer { whh in
            for step in 0..<length {
                let t = reverse ? length - 1 - step : step
                // gh[3H × S] = W_hh · state[H × S]
                BLAS.gemm(m: 3 * h, n: sequences, k: h, a: whh.baseAddress!, lda: h,
                          b: state, ldb: sequences, c: gh, ldc: sequences)
                sa_gru_step(Int32(h), Int32(sequences), gx + t * sequences, positions, gh,
                            biasR, biasZ, biasInN, biasHidN, state, out + t * sequences, positions)
            }
        }
    }
}
