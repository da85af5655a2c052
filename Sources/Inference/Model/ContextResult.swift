import CEngineKernels
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The per-image state of the context pass at the working resolution, cached by the service under an
/// image id: everything the full-resolution colour pass needs, already folded (spec Network.3).
/// - `conv1Piece`: U_conv1 · l2n(conv1) (d channels at conv1 resolution).
/// - `scalePieces`: per scale (layer1, layer2, layer3, renet) M · S_s · l2n(f_s) at the scale's own
///   resolution, where M is the map head (K logits, "map" mode) or V (d, "context" mode).
/// Bilinear upsampling commutes with these per-pixel linear maps (its weights sum to 1, so constant
/// biases pass through), so sampling and summing the pieces equals the reference's 2816-channel path.
public struct ContextResult: Sendable {
    public let workingHeight: Int
    public let workingWidth: Int
    public let mode: ModelDescription.Mode
    let conv1Piece: ChannelsLastMap
    let scalePieces: [ChannelsLastMap]
    let scaleBias: [Float]

    /// K logits (map mode) or d pre-activations of V·y (context mode) per pixel.
    public var pieceChannels: Int { scaleBias.count }

    /// The semantic adjustment map's probabilities π = softmax(logits), K planes at height × width
    /// (the working resolution for the map PNG, or the refinement's guide), the rows split into
    /// `threads` bands.
    public func mapProbabilities(height: Int, width: Int, threads: Int = 1) -> Tensor {
        precondition(mode == .map, "a context-mode model has no map")
        let k = pieceChannels
        var out = Tensor(channels: k, height: height, width: width)
        let plane = height * width
        let bands = max(1, min(threads, height))
        out.withUnsafeMutableBufferPointer { dst in
            let planes = SendablePointer(pointer: dst.baseAddress!)
            let band: @Sendable (Int) -> Void = { b in
                let sampler = MapRowSampler(self, height: height, width: width)
                var scratch = ScratchBuffer()
                let rowBuffers = scratch.pointer(count: sampler.rowBufferCount + width * (k + 2))
                let logits = rowBuffers + sampler.rowBufferCount, softmaxScratch = logits + width * k
                for y in (b * height / bands)..<((b + 1) * height / bands) {
                    sampler.values(row: y, rowBuffers: rowBuffers, into: logits)
                    let row = planes.pointer + y * width
                    for x in 0..<width { for i in 0..<k { row[i * plane + x] = logits[x * k + i] } }
                    sa_softmax_planes(Int32(width), Int32(k), row, plane, softmaxScratch)
                }
            }
            if bands == 1 { band(0) } else { DispatchQueue.concurrentPerform(iterations: bands, execute: band) }
        }
        return out
    }

    /// The argmax map (first maximum, as torch.argmax) at height × width as preset indices, row-major:
    /// one byte per pixel instead of K float planes (a 12 MP photo: 12 MB, not 96 MB for K = 2).
    /// Feed it to `render(map: .labels(...))`; the labels equal the argmax of `mapProbabilities`.
    /// Rows are split into `EngineThreads.perJob` bands, the share of the cores one job has.
    public func mapLabels(height: Int, width: Int) -> [UInt8] {
        mapLabels(height: height, width: width, threads: EngineThreads.perJob)
    }

    public func mapLabels(height: Int, width: Int, threads: Int) -> [UInt8] {
        precondition(mode == .map, "a context-mode model has no map")
        let k = pieceChannels
        let bands = max(1, min(threads, height))
        return [UInt8](unsafeUninitializedCapacity: height * width) { labels, count in
            let dst = SendablePointer(pointer: labels.baseAddress!)
            let band: @Sendable (Int) -> Void = { b in
                let sampler = MapRowSampler(self, height: height, width: width)
                var scratch = ScratchBuffer()
                let rowBuffers = scratch.pointer(count: sampler.rowBufferCount + width * k)
                let logits = rowBuffers + sampler.rowBufferCount
                for y in (b * height / bands)..<((b + 1) * height / bands) {
                    if k == 2 {
                        sampler.labels(row: y, rowBuffers: rowBuffers, into: dst.pointer + y * width)
                    } else {
                        sampler.values(row: y, rowBuffers: rowBuffers, into: logits)
                        MapRowSampler.argmax(logits, count: k, width: width, into: dst.pointer + y * width)
                    }
                }
            }
            if bands == 1 { band(0) } else { DispatchQueue.concurrentPerform(iterations: bands, execute: band) }
            count = height * width
        }
    }

    @inline(__always)
    static func softmax(_ v: UnsafeMutablePointer<Float>, count k: Int) {
        var m = -Float.infinity
        for i in 0..<k { m = max(m, v[i]) }
        var s: Float = 0
        for i in 0..<k { v[i] = expf(v[i] - m); s += v[i] }
        let inv = 1 / s
        for i in 0..<k { v[i] *= inv }
    }
}
