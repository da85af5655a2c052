import Imaging

/// PNG decoding with both alpha policies (the service composites photos over white and keeps
/// alpha unblended for weight maps), with lowered limits so mutated headers hit the refusal path.
/// A decoded image must be exactly as large as it says, and kept alpha one byte per pixel.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let limits = DecodeLimits(maxPixels: 1 << 20, maxSide: 4096, maxProgressiveScans: 100, maxChunkBytes: 1 << 20, maxDecoderMemory: 64 << 20)
    for policy in [AlphaPolicy.compositeOverWhite, .preserve] {
        guard let decoded = try? PNGDecoder(limits: limits, alphaPolicy: policy).decode(input) else { continue }
        let image = decoded.image
        let n = image.width * image.height
        precondition(image.width > 0 && image.height > 0 && n <= limits.maxPixels, "size \(image.width)x\(image.height)")
        precondition(image.pixels.count == n * 3, "buffer \(image.pixels.count) for \(image.width)x\(image.height)")
        if let alpha = decoded.alpha { precondition(alpha.count == n, "alpha \(alpha.count) for \(n) pixels") }
    }
    return 0
}
