import Imaging
import Inference

/// The full-resolution colour pass of one render, by the cheapest strategy the photo's cache allows,
/// streamed from the cached bytes into the output's bytes (LabRowIO.srgb8):
/// - `.pick`: a label map and the first render's pre-rendered alternatives at hand: each changed pixel
///   is copied from the alternative of its new preset, nothing is rendered;
/// - `.partial`: a label map and the first render at hand: only the pixels whose labels changed are
///   rendered (per row, the columns from the first to the last change), over a copy of that render;
/// - `.full`: the first render of a photo, or a user's weight planes: every pixel.
struct ColourPass {
    enum Strategy: Equatable { case pick, partial, full }

    /// The pixels (interleaved 8-bit RGB) and how they were made.
    struct Output {
        var pixels: [UInt8]
        let strategy: Strategy
        /// The rows and, per row, the columns rendered or copied (nil: all of them).
        let rows: [Range<Int>]?
        let columns: [Range<Int>]?
        /// The first render whose pixels and JPEG this one started from (`.pick`, `.partial`).
        let reference: ReferenceRender?
        /// Whether the first render's JPEG may be re-encoded only where the pixels changed (the answer
        /// is a JPEG of its quality); the canvas then holds the decoded segments that stay.
        let reencodes: Bool
    }

    let model: SAAdjustModel
    let threads: Int

    /// `strength` scales the adjustment in Lab (AdjustOptions.strength).
    func run(_ analysis: AnalysedPhoto, map: RenderMap, quality: Int, format: OutputFormat, strength: Double) throws(AdjustError) -> Output {
        let width = analysis.width
        guard case let .labels(labels) = map.choice, let first = analysis.reference, first.strength == strength else {
            var pixels = [UInt8](repeating: 0, count: width * analysis.height * 3)
            try render(analysis, map: map.choice, strength: strength, into: &pixels, rows: nil, columns: nil)
            return Output(pixels: pixels, strategy: .full, rows: nil, columns: nil, reference: nil, reencodes: false)
        }
        let changes = first.changes(labels, width: width)
        let segments = format == .jpeg ? first.jpeg.flatMap { $0.quality == quality ? $0 : nil } : nil
        let reencodes = segments != nil
        var pixels = segments.map {
            first.canvas(copying: $0.reencodedRegions(changedColumns: changes.columns), except: changes.columns, width: width)
        } ?? first.pixels
        let strategy: Strategy
        if let alternatives = first.alternatives {
            pixels.withUnsafeMutableBufferPointer { out in
                alternatives.fill(out.baseAddress!, labels: labels, reference: first, width: width, rows: changes.rows,
                                  columns: changes.columns, threads: threads)
            }
            strategy = .pick
        } else {
            if !changes.rows.isEmpty {
                try render(analysis, map: map.choice, strength: strength, into: &pixels, rows: changes.rows, columns: changes.columns)
            }
            strategy = .partial
        }
        return Output(pixels: pixels, strategy: strategy, rows: changes.rows, columns: changes.columns, reference: first,
                      reencodes: reencodes)
    }

    private func render(_ analysis: AnalysedPhoto, map: MapChoice, strength: Double, into pixels: inout [UInt8],
                        rows: [Range<Int>]?, columns: [Range<Int>]?) throws(AdjustError) {
        let width = analysis.width
        var failure: ModelError?
        analysis.photo.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { out in
                do throws(ModelError) {
                    try model.render(analysis.plan, context: analysis.context, map: map, threads: threads,
                                     io: .srgb8(from: src.baseAddress!, into: out.baseAddress!, width: width, strength: Float(strength)),
                                     rows: rows, columns: columns)
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw .inference(failure) }
    }
}
