import Inference

/// The safetensors loader from bytes (the same validation path as a mapped file): header length,
/// JSON header, dtypes, shapes, offsets and overlaps. Every tensor it accepts must then be
/// readable in full without touching memory outside the input (ASan watches the reads).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? SafetensorsFile(bytes: bytes) else { return 0 }
    for (name, info) in file.tensors {
        precondition(info.dataRange.upperBound <= size, "\(name) ends past the input")
        guard let values = try? file.floats(name) else { continue }
        precondition(values.count == info.elementCount, "\(name): \(values.count) of \(info.elementCount) elements")
        _ = try? file.tensor(name)
    }
    return 0
}
