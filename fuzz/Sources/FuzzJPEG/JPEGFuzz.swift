import Imaging

/// JPEG decoding through the same ImageDecoder the service uses, with pixel limits lowered so a
/// mutated header declaring a huge image is refused (the limit path) instead of allocating for
/// seconds. A decoded image must be exactly as large as it says it is.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let limits = DecodeLimits(maxPixels: 1 << 20, maxSide: 4096, maxProgressiveScans: 100, maxChunkBytes: 1 << 20, maxDecoderMemory: 64 << 20)
    guard let decoded = try? JPEGDecoder(limits: limits).decode(input) else { return 0 }
    let image = decoded.image
    precondition(image.width > 0 && image.height > 0 && image.width * image.height <= limits.maxPixels, "size \(image.width)x\(image.height)")
    precondition(image.pixels.count == image.width * image.height * 3, "buffer \(image.pixels.count) for \(image.width)x\(image.height)")
    return 0
}
