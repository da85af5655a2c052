import Imaging

/// HEIC and AVIF decoding (libheif with libde265, dav1d and aom) with both alpha policies and
/// lowered limits, then the same bytes through ImageDecoder (sniffing by ftyp brand, colour
/// management for an ICC profile or nclx box). A decoded image must be exactly as large as it says.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHEIF(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let limits = DecodeLimits(maxPixels: 1 << 20, maxSide: 4096, maxProgressiveScans: 100, maxChunkBytes: 1 << 20, maxDecoderMemory: 64 << 20)
    for policy in [AlphaPolicy.compositeOverWhite, .preserve] {
        guard let decoded = try? HEIFDecoder(limits: limits, alphaPolicy: policy).decode(input) else { continue }
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
