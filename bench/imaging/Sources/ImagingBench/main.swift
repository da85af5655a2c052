// Times Imaging's JPEG decode + encode on one file; bench/imaging/bench.py
// runs it beside Pillow on the same file and prints the ratio. Given a PNG
// (a label map), times its gray decode on CPNG's direct path and on libpng.
//
// usage: semadjust-imaging-bench <file.jpg|file.png> [iterations] [quality]
//        semadjust-imaging-bench --formats <file> [iterations] [quality] [threads]  (FormatsBench.swift)
// prints one JSON object with median milliseconds.
import CMallocShim
import Foundation
import Imaging

let arguments = CommandLine.arguments
if arguments.count >= 3, arguments[1] == "--formats" {
    do {
        let number = { (i: Int, fallback: Int) in arguments.count > i ? Int(arguments[i]) ?? fallback : fallback }
        print(try benchFormats(path: arguments[2], iterations: max(1, number(3, 3)), quality: number(4, 90), threads: number(5, 2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("semadjust-imaging-bench: \(error)\n".utf8))
        exit(1)
    }
}
guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: semadjust-imaging-bench <file.jpg> [iterations] [quality]\n".utf8))
    exit(2)
}
let iterations = arguments.count > 2 ? max(Int(arguments[2]) ?? 5, 1) : 5
let quality = arguments.count > 3 ? Int(arguments[3]) ?? 90 : 90
let bytes = [UInt8](data)
// The service's allocator setting (Server's ResourceLimits): buffers of 1 MiB or more are mappings of
// their own, so the timings include the page faults the service pays.
_ = cmalloc_set_mmap_threshold(1 << 20)

if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
    var libpng = PNGDecoder()
    libpng.inflatesDirectly = false
    func time(_ decoder: PNGDecoder) throws -> Double {
        _ = try decoder.decodeGrayscaleSamples(bytes)  // warm-up
        return median(try (0..<iterations).map { _ in
            let t0 = ContinuousClock.now
            guard try decoder.decodeGrayscaleSamples(bytes) != nil else { throw ImagingError.invalidArgument("not a gray PNG") }
            return milliseconds(ContinuousClock.now - t0)
        })
    }
    do {
        let (direct, viaLibpng) = (try time(PNGDecoder()), try time(libpng))
        print("{\"png_gray_decode_direct_ms\":\(direct),\"png_gray_decode_libpng_ms\":\(viaLibpng),\"iterations\":\(iterations)}")
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("semadjust-imaging-bench: \(error)\n".utf8))
        exit(1)
    }
}

let decoder = JPEGDecoder()
let encoder = JPEGEncoder(options: JPEGEncodeOptions(quality: quality, chromaSubsampling: .yuv420))

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

do {
    // One untimed round: page faults, lazy tables and the first malloc
    // of each size are not what a warm server pays.
    let warm = try decoder.decode(bytes)
    _ = try encoder.encode(warm.image, iccProfile: warm.iccProfile)

    let clock = ContinuousClock()
    var decodeTimes: [Double] = [], encodeTimes: [Double] = [], totals: [Double] = []
    var outputSize = 0, width = 0, height = 0
    for _ in 0..<iterations {
        let t0 = clock.now
        let decoded = try decoder.decode(bytes)
        let t1 = clock.now
        let encoded = try encoder.encode(decoded.image, iccProfile: decoded.iccProfile)
        let t2 = clock.now
        decodeTimes.append(milliseconds(t1 - t0))
        encodeTimes.append(milliseconds(t2 - t1))
        totals.append(milliseconds(t2 - t0))
        outputSize = encoded.count
        (width, height) = (decoded.image.width, decoded.image.height)
    }
    // The other full-resolution stages a request pays, for context (no
    // Pillow counterpart): RGB8 → planes → Lab → sRGB, and the antialiased
    // downscale to a 1024-pixel working copy.
    let image = try decoder.decode(bytes).image
    var planeTimes: [Double] = [], toLabTimes: [Double] = [], fromLabTimes: [Double] = [], resizeTimes: [Double] = []
    for _ in 0..<iterations {
        let t0 = clock.now
        let planes = PlanarImage(image)
        let t1 = clock.now
        let lab = LabConverter.srgbToLab(planes)
        let t2 = clock.now
        let back = LabConverter.labToSRGB(lab)
        let t3 = clock.now
        let scale = 1024.0 / Double(max(image.width, image.height))
        let small = Resampler.resize(back, width: Int((Double(image.width) * scale).rounded()),
                                     height: Int((Double(image.height) * scale).rounded()))
        let t4 = clock.now
        precondition(small.planeCount > 0)
        planeTimes.append(milliseconds(t1 - t0))
        toLabTimes.append(milliseconds(t2 - t1))
        fromLabTimes.append(milliseconds(t3 - t2))
        resizeTimes.append(milliseconds(t4 - t3))
    }
    print("""
    {"width":\(width),"height":\(height),"iterations":\(iterations),"quality":\(quality),\
    "decode_ms":\(median(decodeTimes)),"encode_ms":\(median(encodeTimes)),\
    "total_ms":\(median(totals)),"output_bytes":\(outputSize),\
    "rgb8_to_planes_ms":\(median(planeTimes)),"srgb_to_lab_ms":\(median(toLabTimes)),\
    "lab_to_srgb_ms":\(median(fromLabTimes)),"resize_to_1024_ms":\(median(resizeTimes))}
    """)
} catch {
    FileHandle.standardError.write(Data("semadjust-imaging-bench: \(error)\n".utf8))
    exit(1)
}
