/// Which semantic adjustment map mixes the presets: out = lab + Σ_k m_k f(x, e_k).
public enum MapChoice: Sendable {
    /// One-hot of the most probable preset (the paper's inference).
    case argmax
    /// The predicted probabilities π: blends smoothly at soft boundaries.
    case soft
    /// The user's map, K planes at the render resolution, each pixel summing to 1 (personalisation).
    case user(Tensor)
    /// A one-hot map as preset indices, height × width bytes in row-major order (each < K): the same
    /// output as `.user` with one-hot planes, at a quarter of one plane's memory.
    case labels([UInt8])
}
