// `swift run -c release --scratch-path .build-inference semadjust-inference-bench TRUNK HEAD [threads]`
// Times the context pass (trunk, ReNet, folding) at 512x512 and the colour pass at 512x512 and 2 MP,
// on synthetic inputs (weights are what matter for time, not pixels). Prints one line per figure.
import Foundation
import Inference

let args = CommandLine.arguments
guard args.count >= 3 else {
    print("usage: semadjust-inference-bench TRUNK.safetensors HEAD.safetensors [blas-threads] [reps]")
    exit(2)
}
let threads = args.count > 3 ? Int(args[3]) ?? 2 : 2
let reps = args.count > 4 ? Int(args[4]) ?? 3 : 3
BLASThreads.set(threads)

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

func pattern(_ c: Int, _ h: Int, _ w: Int, scale: Float) -> Tensor {
    var t = Tensor(channels: c, height: h, width: w)
    t.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] = scale * (0.5 + 0.45 * sinf(Float(i % 977) * 0.013 + Float(i / (h * w)))) }
    }
    return t
}

do {
    var model: SAAdjustModel?
    let load = try seconds { model = try SAAdjustModel(trunkPath: args[1], headPath: args[2]) }
    guard let model else { exit(1) }
    print("load: \(String(format: "%.3f", load)) s, BLAS threads \(BLASThreads.count)")
    let rgb = pattern(3, 512, 512, scale: 1)
    var ws = ContextWorkspace()
    var ctx = try model.context(rgb: rgb, workspace: &ws)  // warm-up: page in weights, grow scratch
    var best = Double.infinity
    for _ in 0..<reps { best = min(best, try seconds { ctx = try model.context(rgb: rgb, workspace: &ws) }) }
    print("context 512x512 (trunk + ReNet + folding): best of \(reps) \(String(format: "%.3f", best)) s")
    for (h, w) in [(512, 512), (1224, 1632)] {
        var lab = pattern(3, h, w, scale: 60)
        lab.withUnsafeMutableBufferPointer { p in for i in (h * w)..<(3 * h * w) { p[i] -= 30 } }
        var out = Tensor(shape: lab.shape)
        var rws = RenderWorkspace()
        var rbest = Double.infinity
        for _ in 0..<reps {
            rbest = min(rbest, try seconds {
                try model.render(lab: lab, context: ctx, map: .soft, rows: 0..<h, into: &out, workspace: &rws)
            })
        }
        let mp = Double(h * w) / 1e6
        print("render \(w)x\(h) soft map, one thread: \(String(format: "%.3f", rbest)) s (\(String(format: "%.1f", mp / rbest)) MP/s)")
    }
} catch {
    print("error: \(error)")
    exit(1)
}
