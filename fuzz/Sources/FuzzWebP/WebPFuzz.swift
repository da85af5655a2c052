import Imaging

/// WebP decoding with both alpha policies and lowered limits, then the same bytes through
/// ImageDecoder (sniffing, and colour management for an ICCP chunk). A decoded image must be
/// exactly as large as it says, and kept alpha one byte per pixel.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let limits = DecodeLimits(maxPixels: 1 << 20, maxSide: 4096, maxProgressiveScans: 100, maxChunkBytes: 1 << 20, maxDecoderMemory: 64 << 20)
    for policy in [AlphaPolicy.compositeOverWhite, .preserve] {
        guard let decoded = try? WebPDecoder(limits: limits, alphaPolicy: policy).decode(input) else { continue }
        let n = decoded.image.width * decoded.image.height
        precondition(decoded.image.width > 0 && decoded.image.height > 0 && n <= limits.maxPixels)
        precondition(decoded.image.pixels.count == n * 3, "buffer \(decoded.image.pixels.count) for \(n) pixels")
        if let alpha = decoded.alpha { precondition(alpha.count == n, "alpha \(alpha.count) for \(n) pixels") }
    }
    if let decoded = try? ImageDecoder(limits: limits).decode(input) {
        precondition(decoded.image.pixels.count == decoded.image.width * decoded.image.height * 3)
    }
    return 0
}
