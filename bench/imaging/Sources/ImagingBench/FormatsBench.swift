import Foundation
import Imaging

/// `semadjust-imaging-bench --formats <file> [iterations] [quality] [threads]`: the file's decode
/// (any input format, colour management included) and its encode into every output format, medians
/// in milliseconds as one JSON object, for bench/imaging/bench.py to set beside Pillow's.
func benchFormats(path: String, iterations: Int, quality: Int, threads: Int) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw ImagingError.emptyInput }
    let bytes = [UInt8](data)
    let decoder = ImageDecoder(colourManagement: ColourManagement(threads: threads))
    func timed<T>(_ body: () throws -> T) rethrows -> (Double, T) {
        let t0 = ContinuousClock.now
        let value = try body()
        return (milliseconds(ContinuousClock.now - t0), value)
    }
    let decoded = try decoder.decode(bytes)
    var decodeTimes: [Double] = []
    for _ in 0..<iterations { decodeTimes.append(try timed { try decoder.decode(bytes) }.0) }
    var raw = decoder
    raw.colourManagement = nil
    let rawTimes = try (0..<iterations).map { _ in try timed { try raw.decode(bytes) }.0 }
    var fields = [
        "\"format\":\"\(decoded.format)\"", "\"width\":\(decoded.image.width)", "\"height\":\(decoded.image.height)",
        "\"decode_ms\":\(median(decodeTimes))", "\"decode_without_colour_ms\":\(median(rawTimes))",
        "\"colour\":\"\(jsonEscaped(colourSummary(decoded.colourConversion)))\"",
    ]
    // The service's encoders as AdjustService's PhotoEncoder sets them up.
    let encoders: [(String, (RGBImage, [UInt8]?) throws(ImagingError) -> [UInt8])] = [
        ("jpeg", JPEGEncoder(options: JPEGEncodeOptions(quality: quality)).encode),
        ("png", PNGEncoder(compressionLevel: PNGEncoder.photoCompressionLevel).encode),
        ("webp", WebPEncoder(quality: quality).encode),
        ("webp_lossless", WebPEncoder(quality: WebPEncoder.losslessEffort, lossless: true).encode),
        ("avif", AVIFEncoder(quality: quality, threads: threads).encode),
    ]
    for (key, encode) in encoders {
        var size = try encode(decoded.image, decoded.iccProfile).count
        var times: [Double] = []
        for _ in 0..<iterations {
            let (ms, out) = try timed { try encode(decoded.image, decoded.iccProfile) }
            times.append(ms)
            size = out.count
        }
        fields.append("\"encode_\(key)_ms\":\(median(times))")
        fields.append("\"encode_\(key)_bytes\":\(size)")
    }
    fields.append("\"avif_codec\":\"\(AVIFEncoder.codecName)\"")
    return "{" + fields.joined(separator: ",") + "}"
}

func colourSummary(_ conversion: ColourConversion) -> String {
    switch conversion {
    case .none: "none"
    case .alreadySRGB: "sRGB profile kept"
    case .converted(let source): "converted from \(source)"
    case .ignored(let reason): "profile ignored: \(reason)"
    }
}

func jsonEscaped(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
}
