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
        // The usual map, an 8-bit gray label PNG at the photo's size, is read as one byte per
        // pixel; everything else goes through the RGB(A) decode below.
        let decodedGray: (image: GrayImage, storedAsIs: Bool)?
        do {
            decodedGray = try PNGDecoder().decodeGrayscaleSamples(png)
        } catch {
            throw .invalidMap("not a readable PNG (\(error))")
        }
        if let (gray, storedAsIs) = decodedGray {
            guard gray.width > 0, gray.height > 0 else { throw .invalidMap("the map is empty") }
            try Self.checkRange(gray.pixels, presetCount: k)
            // At the photo's size and stored as is, the upload is already the map to hand back.
            let asSent = storedAsIs && gray.width == width && gray.height == height ? png : nil
            self = .labels(LabelMap(width: gray.width, height: gray.height, labels: gray.pixels, sourcePNG: asSent)
                .resized(width: width, height: height))
            return
        }
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
        // One branch-free pass over every pixel of a photo-sized map (12 M at 12 MP): the label is
        // the red byte; any difference between the channels and the largest label are folded up,
        // and only a map that fails is walked again to say where.
        var coloured: UInt8 = 0, largest: UInt8 = 0
        source.pixels.withUnsafeBufferPointer { p in
            labels.withUnsafeMutableBufferPointer { out in
                for i in 0..<n {
                    let r = p[3 * i], g = p[3 * i + 1], b = p[3 * i + 2]
                    coloured |= (r ^ g) | (r ^ b)
                    largest = max(largest, r)
                    out[i] = r
                }
            }
        }
        let pixels = source.pixels
        let isColoured = { (i: Int) -> Bool in pixels[3 * i] != pixels[3 * i + 1] || pixels[3 * i] != pixels[3 * i + 2] }
        if coloured != 0, let i = (0..<n).first(where: isColoured) {
            let (r, g, b) = (source.pixels[3 * i], source.pixels[3 * i + 1], source.pixels[3 * i + 2])
            throw .invalidMap("a label map must be a grayscale image of preset indices 0..\(k - 1); pixel \(i % source.width),\(i / source.width) has colour (\(r),\(g),\(b)) — for weights send exactly \(k) channels (\(Self.weightLayout(k)))")
        }
        if Int(largest) >= k { try Self.checkRange(labels, presetCount: k) }
        self = .labels(LabelMap(width: source.width, height: source.height, labels: labels).resized(width: width, height: height))
    }

    /// Refuses labels ≥ K, saying how many and the largest.
    static func checkRange(_ labels: [UInt8], presetCount k: Int) throws(AdjustError) {
        let largest = labels.withUnsafeBufferPointer { p in p.reduce(UInt8(0)) { Swift.max($0, $1) } }
        guard Int(largest) >= k else { return }
        let outOfRange = labels.reduce(0) { $0 + (Int($1) >= k ? 1 : 0) }
        throw .invalidMap("\(outOfRange) pixels have preset indices up to \(largest), but this style has K = \(k) presets (indices 0..\(k - 1))")
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
