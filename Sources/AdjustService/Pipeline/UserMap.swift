import Imaging
import Inference

/// A map the user sent, already at the photo's size: hard labels or soft per-preset weights.
///
/// Which one a PNG is follows from how it stores its samples, never from guessing at values:
/// - 1 channel (8-bit gray): labels, each pixel a preset index 0..<K;
/// - exactly K channels: weights (K = 2 gray+alpha, K = 3 RGB, K = 4 RGBA), normalised per pixel;
/// - RGB whose three channels are equal everywhere, when K ≠ 3: labels, because many editors save
///   a gray drawing as RGB.
/// Anything else is refused with what was received and what the style needs.
enum UserMap: Sendable {
    case labels(LabelMap)
    case weights(WeightMap)

    init(png: [UInt8], presetCount k: Int, width: Int, height: Int) throws(AdjustError) {
        let decoded: DecodedImage
        do {
            // Weights in alpha must reach us unblended.
            decoded = try PNGDecoder(alphaPolicy: .preserve).decode(png)
        } catch {
            throw .invalidMap("not a readable PNG (\(error))")
        }
        let source = decoded.image
        guard source.width > 0, source.height > 0 else { throw .invalidMap("the map is empty") }
        let n = source.width * source.height
        let stored = decoded.sourceChannels

        if stored == k && stored >= 2 {
            var interleaved = [UInt8](repeating: 0, count: n * k)
            for i in 0..<n {
                if stored == 2 {
                    interleaved[2 * i] = source.pixels[3 * i]
                } else {
                    for c in 0..<3 { interleaved[i * k + c] = source.pixels[3 * i + c] }
                }
                if let alpha = decoded.alpha { interleaved[i * k + k - 1] = alpha[i] }
            }
            self = .weights(try WeightMap(
                interleaved: interleaved, presetCount: k, width: source.width, height: source.height,
                photoWidth: width, photoHeight: height))
            return
        }
        guard !decoded.hadAlpha else {
            throw .invalidMap("the map has \(stored) channels (with alpha); this style has K = \(k) presets: send an 8-bit grayscale label PNG (values 0..\(k - 1)) or a PNG with exactly \(k) channels of weights (\(Self.weightLayout(k)))")
        }
        var labels = [UInt8](repeating: 0, count: n)
        var outOfRange = 0
        var largest: UInt8 = 0
        // Raw pointers: this loop visits every pixel of a photo-sized map (12 M at 12 MP).
        let firstColoured: Int? = source.pixels.withUnsafeBufferPointer { p in
            labels.withUnsafeMutableBufferPointer { out in
                for i in 0..<n {
                    let r = p[3 * i]
                    guard r == p[3 * i + 1] && r == p[3 * i + 2] else { return i }
                    if Int(r) >= k {
                        outOfRange += 1
                        largest = max(largest, r)
                    }
                    out[i] = r
                }
                return nil
            }
        }
        if let i = firstColoured {
            let (r, g, b) = (source.pixels[3 * i], source.pixels[3 * i + 1], source.pixels[3 * i + 2])
            throw .invalidMap("a label map must be a grayscale image of preset indices 0..\(k - 1); pixel \(i % source.width),\(i / source.width) has colour (\(r),\(g),\(b)) — for weights send exactly \(k) channels (\(Self.weightLayout(k)))")
        }
        guard outOfRange == 0 else {
            throw .invalidMap("\(outOfRange) pixels have preset indices up to \(largest), but this style has K = \(k) presets (indices 0..\(k - 1))")
        }
        self = .labels(LabelMap(width: source.width, height: source.height, labels: labels).resized(width: width, height: height))
    }

    static func weightLayout(_ k: Int) -> String {
        switch k {
        case 2: "gray+alpha PNG"
        case 3: "RGB PNG"
        case 4: "RGBA PNG"
        default: "no PNG colour type has \(k) channels; use a label map"
        }
    }

    /// How the engine mixes presets for this map: labels stay one byte per pixel (a 12 MP photo
    /// costs 12 MB, not K float planes), weights are K planes summing to 1 per pixel.
    var choice: MapChoice {
        switch self {
        case .labels(let map): .labels(map.labels)
        case .weights(let map): .user(map.planes)
        }
    }

    /// The hard map returned to the user (argmax of weights), editable and sendable again.
    var labelMap: LabelMap {
        switch self {
        case .labels(let map): map
        case .weights(let map): LabelMap(argmaxOf: map.planes)
        }
    }

    func coverage(presetCount: Int) -> [Double] {
        switch self {
        case .labels(let map): map.coverage(presetCount: presetCount)
        case .weights(let map): map.coverage()
        }
    }
}
