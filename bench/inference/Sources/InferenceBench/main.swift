// semadjust-inference-bench: release timing of the inference engine, one JSON object on stdout
// (bench/inference/bench.py merges it with PyTorch and ONNX Runtime on the same weights and input).
//
//   .build-engine/release/InferenceBench TRUNK HEAD [--threads N] [--reps N] [--photos DIR] [--count N]
//                                        [--skip-12mp] [--only 512x512|2MP|12MP] [--tune] [--context-side N]
//
// Figures: OpenBLAS sgemm peak (the FLOP limit's denominator), the context pass at 512x512 and at the
// model's working size, stage by stage; the map (plain, and snapped to the photo's edges) and the
// colour pass (exact and guided) at 512x512, 2 MP and 12 MP; the guided pass's Lab error against the exact one on 2 MP photos made by upscaling
// DIR's photos (triangle filter); peak RSS.
import CBLAS
import CMallocShim
import Foundation
import Imaging
@_spi(Planes) import Inference

// The engine's gemms on the kernels `semadjust` uses: a restart with OPENBLAS_CORETYPE when OpenBLAS
// fell back to its generic ones (BLASKernels; semadjust's StartupPolicy does the same).
let blasFallbackVariable = "SEMADJUST_BLAS_FALLBACK"
if let coreType = BLASKernels.coreTypeOverride {
    setenv(blasFallbackVariable, BLASKernels.coreName, 1)
    setenv("OPENBLAS_CORETYPE", coreType, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    unsetenv("OPENBLAS_CORETYPE")  // not restarted: run on as loaded
    unsetenv(blasFallbackVariable)
}

let args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
let flags = Set(args.filter { $0.hasPrefix("--") })
let positional = args.enumerated().filter { i, a in !a.hasPrefix("--") && (i == 0 || !args[i - 1].hasPrefix("--") || ["--skip-12mp", "--tune"].contains(args[i - 1])) }.map(\.1)
guard positional.count >= 2 else {
    FileHandle.standardError.write("usage: InferenceBench TRUNK HEAD [--threads N] [--reps N] [--photos DIR] [--count N] [--skip-12mp] [--tune]\n".data(using: .utf8)!)
    exit(2)
}
let threads = Int(option("--threads") ?? "2") ?? 2
let reps = Int(option("--reps") ?? "5") ?? 5
EngineThreads.set(perJob: threads)

func log(_ s: String) { FileHandle.standardError.write((s + "\n").data(using: .utf8)!) }
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = now()
    try body()
    return now() - t0
}
func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
/// Process CPU seconds: on a machine shared with other jobs, a single-threaded call's CPU time is
/// close to its time on an idle machine, where wall time is not.
/// Minor page faults of the process so far: a pass that faults pages in is paying the kernel to zero them.
func minorFaults() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_minflt
}
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
nonisolated(unsafe) var lastCPU = 0.0
/// Median wall seconds of n calls after a warm-up; the median CPU seconds go to `lastCPU`.
func timed(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()  // warm-up: page in weights, grow scratch
    var t: [Double] = [], c: [Double] = []
    for _ in 0..<n {
        let c0 = cpuNow()
        t.append(try seconds(body))
        c.append(cpuNow() - c0)
    }
    lastCPU = median(c)
    return median(t)
}
/// This process's peak resident set (VmHWM). Not getrusage's ru_maxrss: Linux carries that across
/// fork and execve, so a bench started from Python reported the Python process's 1.2 GB peak.
func peakRSSMiB() -> Double {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kB = Double(line.split(separator: " ").dropFirst().first ?? "") {
        return kB / 1024
    }
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}

/// A smooth synthetic photo: timing depends on sizes, not pixels.
func pattern(_ c: Int, _ h: Int, _ w: Int, scale: Float, offset: Float = 0) -> Tensor {
    var t = Tensor(channels: c, height: h, width: w)
    t.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count {
            let ch = i / (h * w)
            p[i] = scale * (0.5 + 0.45 * sinf(Float(i % 977) * 0.013 + Float(ch))) + (ch > 0 ? offset : 0)
        }
    }
    return t
}

/// OpenBLAS sgemm GFLOP/s on square n×n products, best of a few: the hardware limit the FLOP-limit
/// time divides by.
func sgemmPeak(n: Int, repeats: Int) -> Double {
    var a = [Float](repeating: 0, count: n * n), b = a, c = a
    for i in 0..<(n * n) { a[i] = Float(i % 13) * 0.01; b[i] = Float(i % 7) * 0.02 }
    var best = Double.infinity
    for _ in 0..<(repeats + 1) {
        best = min(best, seconds {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
        })
    }
    return 2 * Double(n * n * n) / best / 1e9
}

/// Median seconds of replaying `calls` (shapes and leading dimensions as recorded) on `threads`
/// threads that each take the next call as they finish, as the engine's workers take tiles; each
/// thread owns buffers big enough for any call, so this is OpenBLAS's kernel time and nothing else.
func replaySeconds(_ calls: [GemmCall], threads: Int) -> Double {
    func rows(_ trans: Bool, _ notTransposed: Int, _ transposed: Int) -> Int { trans ? transposed : notTransposed }
    let aCount = calls.map { rows($0.transA, $0.m, $0.k) * $0.lda }.max() ?? 1
    let bCount = calls.map { rows($0.transB, $0.k, $0.n) * $0.ldb }.max() ?? 1
    let cCount = calls.map { $0.m * $0.ldc }.max() ?? 1
    let buffers = (0..<threads).map { _ in
        (a: UnsafeMutablePointer<Float>.allocate(capacity: aCount), b: UnsafeMutablePointer<Float>.allocate(capacity: bCount),
         c: UnsafeMutablePointer<Float>.allocate(capacity: cCount))
    }
    for buf in buffers {
        buf.a.initialize(repeating: 0.01, count: aCount); buf.b.initialize(repeating: 0.02, count: bCount)
        buf.c.initialize(repeating: 0, count: cCount)
    }
    defer { for buf in buffers { buf.a.deallocate(); buf.b.deallocate(); buf.c.deallocate() } }
    let shared = buffers.map { (a: SendableFloats($0.a), b: SendableFloats($0.b), c: SendableFloats($0.c)) }
    func once() {
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let buf = shared[t]
            while let i = next.take(below: calls.count) {
                let g = calls[i]
                cblas_sgemm(CblasRowMajor, g.transA ? CblasTrans : CblasNoTrans, g.transB ? CblasTrans : CblasNoTrans,
                            Int32(g.m), Int32(g.n), Int32(g.k), 1, buf.a.pointer, Int32(g.lda), buf.b.pointer, Int32(g.ldb),
                            g.beta, buf.c.pointer, Int32(g.ldc))
            }
        }
    }
    once()
    return median((0..<3).map { _ in seconds(once) })
}
struct SendableFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ p: UnsafeMutablePointer<Float>) { pointer = p }
}
/// Hands out 0, 1, 2, … to whichever thread asks next.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// Interleaved 8-bit RGB of the same pattern, for the map refinement's guide.
func photoPattern(_ h: Int, _ w: Int) -> [UInt8] {
    (0..<(h * w * 3)).map { i in
        let (c, p) = (i % 3, i / 3)
        return UInt8(255 * (0.5 + 0.45 * sinf(Float(p % 977) * 0.013 + Float(c))))
    }
}

func currentRSSMiB() -> Double {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = Double(statm.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// The context pass at h×w, stage by stage, medians of `reps` after a warm-up.
func contextFigures(_ model: SAAdjustModel, height h: Int, width w: Int) throws -> ([String: Any], ContextResult) {
    let rgb = pattern(3, h, w, scale: 1)
    var ws = ContextWorkspace()
    var trunk: [Double] = [], renet: [Double] = [], fold: [Double] = [], total: [Double] = [], cpu: [Double] = []
    var c = try model.context(rgb: rgb, workspace: &ws)
    let faults0 = minorFaults()
    for _ in 0..<reps {
        var t = ContextTimings()
        let c0 = cpuNow()
        let s = try seconds { c = try model.context(rgb: rgb, workspace: &ws, timings: &t) }
        cpu.append(cpuNow() - c0)
        func sec(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        trunk.append(sec(t.trunk)); renet.append(sec(t.renet)); fold.append(sec(t.fold)); total.append(s)
    }
    let faultsPerPass = Double(minorFaults() - faults0) / Double(reps)
    // The same pass's sgemm calls alone: what OpenBLAS's kernels cost at the engine's own shapes,
    // the floor for any engine built on these calls.
    let (_, calls) = try GemmTrace.recording { try model.context(rgb: rgb, workspace: &ws) }
    let gemmOnly = replaySeconds(calls, threads: threads)
    let gemmFlops = calls.reduce(0) { $0 + $1.flops }
    log(String(format: "context %dx%d: %.3f s (trunk %.3f, renet %.3f, fold %.3f), CPU %.3f s; its %d sgemm calls alone %.3f s (%.1f GFLOP/s)",
               w, h, median(total), median(trunk), median(renet), median(fold), median(cpu), calls.count, gemmOnly,
               gemmFlops / gemmOnly / 1e9))
    return (["height": h, "width": w, "total_s": median(total), "trunk_s": median(trunk),
             "renet_s": median(renet), "fold_s": median(fold), "cpu_s": median(cpu),
             "minor_faults_per_pass": faultsPerPass, "gemm_calls": calls.count, "gemm_gflop": gemmFlops / 1e9, "gemm_only_s": gemmOnly,
             "context_result_mib": Double(c.byteCount) / 1_048_576], c)
}

struct LabError {
    var mean = 0.0, p99 = 0.0, max = 0.0
    init(_ a: Tensor, _ b: Tensor) {
        let plane = a.height * a.width
        var d = [Float](repeating: 0, count: plane)
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                for i in 0..<plane {
                    let dl = x[i] - y[i], da = x[plane + i] - y[plane + i], db = x[2 * plane + i] - y[2 * plane + i]
                    d[i] = (dl * dl + da * da + db * db).squareRoot()
                }
            }
        }
        mean = d.reduce(0.0) { $0 + Double($1) } / Double(plane)
        d.sort()
        p99 = Double(d[min(plane - 1, plane * 99 / 100)])
        max = Double(d[plane - 1])
    }
    var json: [String: Double] { ["mean": mean, "p99": p99, "max": max] }
}

// The service's allocator setting (Server's ResourceLimits): every buffer of 1 MiB or more is a mapping
// of its own, returned to the system when freed, so the pass meets the page faults it meets there.
_ = cmalloc_set_mmap_threshold(1 << 20)

var report: [String: Any] = ["threads": threads, "reps": reps, "openblas_kernels": BLASKernels.summary(pickedAtLoad: getenv(blasFallbackVariable).map { String(cString: $0) })]
do {
    let model = try SAAdjustModel(trunkPath: positional[0], headPath: positional[1])
    let md = model.description
    report["model"] = ["style": md.style, "mode": md.mode.rawValue, "K": md.presetCount, "d": md.rank, "working_long_side": md.workingLongSide]

    // --context-side N: only the context pass at a 4:3 working image of long side N, in a process of
    // its own so that its peak RSS is this size's alone (bench.py runs 256, 512, 1024).
    if let side = option("--context-side").flatMap({ Int($0) }) {
        let loaded = currentRSSMiB()
        let (figures, _) = try contextFigures(model, height: side * 3 / 4, width: side)
        var entry = figures
        entry["long_side"] = side
        entry["rss_after_load_mib"] = loaded
        entry["peak_rss_mib"] = peakRSSMiB()
        report["context_side"] = entry
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(data: data, encoding: .utf8)!)
        exit(0)
    }

    // 1. The FLOP limit's denominator, at the engine's thread count and at one thread.
    // OpenBLAS's own pool at the engine's thread count for the peak, then back to the engine's
    // one-thread BLAS (EngineThreads) for everything else.
    BLASThreads.set(threads)
    let peak = sgemmPeak(n: 2048, repeats: 3)
    BLASThreads.set(1)
    let peak1 = sgemmPeak(n: 1536, repeats: 2)
    EngineThreads.set(perJob: threads)
    report["sgemm_peak_gflops"] = peak
    report["sgemm_peak_gflops_1thread"] = peak1
    log(String(format: "sgemm peak: %.1f GFLOP/s (%d threads), %.1f (1 thread)", peak, threads, peak1))

    // 2. Context pass, stage by stage (median of reps).
    var contexts: [String: Any] = [:]
    var ctx512: ContextResult?
    for (name, h, w) in [("512x512", 512, 512), ("working \(md.workingLongSide)", md.workingLongSide * 3 / 4, md.workingLongSide)] {
        let (figures, c) = try contextFigures(model, height: h, width: w)
        if h == 512 { ctx512 = c }
        contexts[name] = figures
    }
    report["context"] = contexts
    guard let ctx = ctx512 else { exit(1) }

    // 3. Map and colour pass at 512², 2 MP, 12 MP.
    var renders: [[String: Any]] = []
    var sizes = [("512x512", 512, 512), ("2MP", 1224, 1632)]
    if !flags.contains("--skip-12mp") { sizes.append(("12MP", 3000, 4000)) }
    if let only = option("--only") { sizes = sizes.filter { $0.0 == only } }  // e.g. profiling one size
    let mapMode = md.mode == .map
    for (name, h, w) in sizes {
        let lab = pattern(3, h, w, scale: 60, offset: -30)
        let bigReps = h * w > 4_000_000 ? 1 : max(1, reps / 2)
        var entry: [String: Any] = ["size": name, "height": h, "width": w]
        var labels: [UInt8] = []
        if mapMode {
            entry["map_labels_s"] = timed(bigReps) { labels = ctx.mapLabels(height: h, width: w) }
            entry["map_labels_cpu_s"] = lastCPU
            // The edge-aware refinement of the same map (EdgeSnapping: guide, probabilities at the
            // guide's size, fit, full-resolution labels) next to the plain labels it replaces.
            let rgb = photoPattern(h, w)
            let settings = MapRefinementSettings.standard
            var guide = Tensor(channels: 3, height: 1, width: 1), weights = guide
            entry["refine_guide_s"] = timed(bigReps) {
                guide = GuidedMapFilter.guide(rgb: rgb, height: h, width: w, longSide: settings.guideLongSide)
                weights = ctx.mapProbabilities(height: guide.height, width: guide.width, threads: threads)
            }
            var filter = GuidedMapFilter(weights: weights, guide: guide, settings: settings, threads: threads)
            entry["refine_fit_s"] = timed(bigReps) { filter = GuidedMapFilter(weights: weights, guide: guide, settings: settings, threads: threads) }
            var refined: [UInt8] = []
            entry["refine_labels_s"] = timed(bigReps) { refined = filter.labels(rgb: rgb, height: h, width: w, threads: threads) }
            let moved = zip(refined, labels).filter { $0 != $1 }.count
            log(String(format: "map %@: labels %.2f ms; refined: guide + probabilities %.2f ms, fit %.2f ms, labels %.2f ms (%.1f %% of the labels moved)",
                       name, (entry["map_labels_s"] as! Double) * 1e3, (entry["refine_guide_s"] as! Double) * 1e3,
                       (entry["refine_fit_s"] as! Double) * 1e3, (entry["refine_labels_s"] as! Double) * 1e3,
                       100 * Double(moved) / Double(h * w)))
        }
        let map: MapChoice = mapMode ? .labels(labels) : .argmax
        for (method, mname) in [(RenderMethod.exact, "exact"), (.guided(.standard), "guided")] {
            if h * w > 4_000_000, method == .exact, threads < 2 { continue }
            for t in Set([1, threads]).sorted() {
                if method == .exact, h * w > 4_000_000, t == 1 { continue }  // tens of seconds, nothing learnt
                let s = try timed(bigReps) { _ = try model.render(lab: lab, context: ctx, map: map, method: method, threads: t) }
                entry["render_\(mname)_\(t)t_s"] = s
                entry["cpu_render_\(mname)_\(t)t_s"] = lastCPU
                log(String(format: "render %@ %@ labels map, %d thread(s): %.3f s wall, %.3f s CPU (%.1f MP/s)", name, mname, t, s, lastCPU, Double(h * w) / 1e6 / s))
            }
        }
        entry["peak_rss_mib"] = peakRSSMiB()
        renders.append(entry)
    }
    report["render"] = renders

    // 4. Guided vs exact Lab error on 2 MP upscaled photos (trained or random head, argmax map).
    if let dir = option("--photos") {
        let count = Int(option("--count") ?? "4") ?? 4
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.sorted().prefix(count)
        var settingsList: [(String, GuidedRenderSettings)] = [("standard", .standard)]
        if flags.contains("--tune") {
            for g in [512, 768, 1024] { for c in [4, 6, 8] {
                settingsList.append(("g\(g)c\(c)b8", GuidedRenderSettings(guideLongSide: g, cellSize: c, luminanceBins: 8)))
            } }
            for b in [4, 6, 12] { settingsList.append(("g768c6b\(b)", GuidedRenderSettings(luminanceBins: b))) }
            for r in [Float(1e-4), 1e-2] { settingsList.append(("ridge\(r)", GuidedRenderSettings(ridge: r))) }
        }
        var errors: [String: [LabError]] = [:]
        for f in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/" + f)))
            let photo = PlanarImage(try ImageDecoder().decode(bytes).image)
            let s = (2_000_000.0 / Double(photo.width * photo.height)).squareRoot()
            let (W, H) = (Int(Double(photo.width) * s), Int(Double(photo.height) * s))
            let big = Resampler.resize(photo, width: W, height: H, filter: .triangle)
            let work = model.workingSize(height: H, width: W)
            let small = Resampler.resize(big, width: work.width, height: work.height, filter: .triangle)
            let c = try model.context(rgb: Tensor(shape: TensorShape(channels: 3, height: small.height, width: small.width), values: small.data))
            let lab = Tensor(shape: TensorShape(channels: 3, height: H, width: W), values: LabConverter.srgbToLab(big).data)
            let map: MapChoice = mapMode ? .labels(c.mapLabels(height: H, width: W)) : .argmax
            let exact = try model.render(lab: lab, context: c, map: map, method: .exact, threads: threads)
            let moved = LabError(exact, lab)
            errors["exact_vs_input", default: []].append(moved)
            for (sname, st) in settingsList {
                let g = try model.render(lab: lab, context: c, map: map, method: .guided(st), threads: threads)
                errors[sname, default: []].append(LabError(g, exact))
            }
            log("photo \(f) \(W)x\(H): exact moves colours by mean \(String(format: "%.2f", moved.mean)); guided standard mean \(String(format: "%.3f", errors["standard"]!.last!.mean)), p99 \(String(format: "%.3f", errors["standard"]!.last!.p99)), max \(String(format: "%.2f", errors["standard"]!.last!.max))")
        }
        var summary: [String: Any] = ["photos": files.count, "megapixels": 2.0]
        for (k, v) in errors {
            let n = Double(v.count)
            let mean: Double = v.map(\.mean).reduce(0, +) / n
            let p99: Double = v.map(\.p99).reduce(0, +) / n
            let worst: Double = v.map(\.max).max() ?? 0
            summary[k] = ["mean": mean, "p99": p99, "max": worst]
        }
        report["guided_error_2mp"] = summary
        if flags.contains("--tune") {
            for (sname, _) in settingsList {
                let v = errors[sname]!, n = Double(v.count)
                let mean: Double = v.map(\.mean).reduce(0, +) / n
                let p99: Double = v.map(\.p99).reduce(0, +) / n
                let worst: Double = v.map(\.max).max() ?? 0
                log(String(format: "tune %@: mean %.3f p99 %.3f max %.2f", sname, mean, p99, worst))
            }
        }
    }
    report["peak_rss_mib"] = peakRSSMiB()
    let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
    print(String(data: data, encoding: .utf8)!)
} catch {
    log("error: \(error)")
    exit(1)
}
