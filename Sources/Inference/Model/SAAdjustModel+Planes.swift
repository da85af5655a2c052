import Dispatch

/// The model over whole tensors instead of the service's streamed rows: the context pass without a
/// pooled workspace or with stage timings, and the colour pass over Lab planes. Tests, benchmarks and
/// tools use them; the service calls `context(rgb:workspace:)`, `plan(…)` and `render(_:…)` only.
extension SAAdjustModel {
    /// Trunk, ReNet and the folded per-scale heads on a 3-plane sRGB [0, 1] tensor.
    @_spi(Planes) public func context(rgb: Tensor) throws(ModelError) -> ContextResult {
        var ws = ContextWorkspace()
        return try context(rgb: rgb, workspace: &ws)
    }

    /// The adjusted Lab planes for Lab planes `lab` (any resolution; context is interpolated), with
    /// the automatic method (guided above GuidedRenderSettings.automaticThreshold pixels) on
    /// `EngineThreads.perJob` threads, the share of the cores ThreadBudget gives one job.
    @_spi(Planes) public func render(lab: Tensor, context: ContextResult, map: MapChoice = .argmax) throws(ModelError) -> Tensor {
        try render(lab: lab, context: context, map: map, method: .automatic, threads: EngineThreads.perJob)
    }

    /// The adjusted Lab planes by `method`, the rows split into `threads` bands rendered at once.
    @_spi(Planes) public func render(
        lab: Tensor, context: ContextResult, map: MapChoice, method: RenderMethod, threads: Int
    ) throws(ModelError) -> Tensor {
        try validate(lab: lab)
        var out = Tensor(uninitialized: lab.shape)  // every band writes all its pixels
        let (h, w) = (lab.height, lab.width)
        try lab.withUnsafeBufferPointer { l throws(ModelError) in
            try out.withUnsafeMutableBufferPointer { o throws(ModelError) in
                try render(height: h, width: w, context: context, map: map, method: method, threads: threads,
                           io: .planes(l.baseAddress!, into: o.baseAddress!, height: h, width: w))
            }
        }
        return out
    }

    /// Replaces the Lab planes `lab` by their adjusted colours, without a second full-resolution
    /// buffer (144 MB at 12 MP).
    @_spi(Planes) public func render(
        inPlace lab: inout Tensor, context: ContextResult, map: MapChoice = .argmax,
        method: RenderMethod = .automatic, threads: Int = EngineThreads.perJob
    ) throws(ModelError) {
        try validate(lab: lab)
        let (h, w) = (lab.height, lab.width)
        try lab.withUnsafeMutableBufferPointer { l throws(ModelError) in
            try render(height: h, width: w, context: context, map: map, method: method, threads: threads,
                       io: .planes(l.baseAddress!, into: l.baseAddress!, height: h, width: w))
        }
    }

    /// The colour pass of an H×W photo streamed through `io`, row by row: the photo is read and
    /// written in whatever form the caller keeps it (8-bit sRGB, converted per row), so no
    /// full-resolution float buffer exists at all. The rows are split into `threads` bands rendered
    /// at once; `io` is called from all of them.
    @_spi(Planes) public func render(
        height h: Int, width w: Int, context: ContextResult, map: MapChoice, method: RenderMethod,
        threads: Int, io: LabRowIO
    ) throws(ModelError) {
        let plan = try plan(height: h, width: w, context: context, method: method, threads: threads, read: io.read)
        try render(plan, context: context, map: map, threads: threads, io: io)
    }

    /// Renders a band of rows into a preallocated output with the exact method: callers split a photo
    /// into bands to bound latency per task or to spread one photo over workers, each with its own
    /// workspace.
    @_spi(Planes) public func render(
        lab: Tensor, context: ContextResult, map: MapChoice, rows: Range<Int>,
        into out: inout Tensor, workspace: inout RenderWorkspace
    ) throws(ModelError) {
        try validate(lab: lab)
        let (h, w) = (lab.height, lab.width)
        try validate(height: h, width: w, context: context, map: map)
        guard out.shape == lab.shape else { throw .invalidInput("output \(out.shape) differs from input \(lab.shape)") }
        guard rows.lowerBound >= 0, rows.upperBound <= lab.height else {
            throw .invalidInput("rows \(rows) outside 0..<\(lab.height)")
        }
        let buffers = LabRowBuffers(width: w)
        lab.withUnsafeBufferPointer { l in
            out.withUnsafeMutableBufferPointer { o in
                withMapSource(map) { source in
                    head.renderExact(height: h, width: w, context: context, map: source, rows: RowSet(rows),
                                     io: .planes(l.baseAddress!, into: o.baseAddress!, height: h, width: w),
                                     buffers: buffers, scratch: &workspace.scratch)
                }
            }
        }
    }

}
