import AdjustService
import ArgumentParser
import Foundation

/// `semadjust adjust`: retouches photos on this machine with the same models and engine the
/// service uses, one file or whole folders, without a server.
struct AdjustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adjust",
        abstract: "Adjust photos (JPEG, PNG, WebP, HEIC, AVIF, TIFF) without a server: one file, several, or folders of them.",
        discussion: """
            One photo:  semadjust adjust in.heic -o out.jpg [--style S] [--strength 0.7] [--map map.png] [--save-map map.png]
            Batch:      semadjust adjust DIR_OR_FILES... -o OUTDIR [--save-map MAPDIR] [--map MAP.png|MAPDIR]

            The output's format follows its extension (.jpg, .png, .webp, .avif) or --format. In batch \
            mode (several inputs, a folder, or -o naming a folder) each photo NAME.ext in a folder \
            (.jpg .jpeg .png .webp .heic .heif .avif .tif .tiff) becomes OUTDIR/NAME.jpg (or the \
            --format's extension) and its map MAPDIR/NAME.png; a --map folder holds NAME.png per photo \
            (what --save-map wrote, edited), a --map file applies to every photo. A photo that fails is \
            reported and the rest go on; the exit status is 1 when any failed.
            """
    )

    @Argument(help: "Photos (JPEG, PNG, WebP, HEIC, AVIF, TIFF: read by content), or folders of them (their photo files by extension, not subfolders).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The output photo for one photo; the output folder in batch mode (created when missing).")
    var output: String

    @Option(help: "Style id (see `semadjust styles`); default: popout when present, else the first style.")
    var style: String?

    @Option(help: "Your adjustment map, resized to each photo: a PNG label image of preset indices 0..K-1, or a PNG with K channels of preset weights; in batch mode a file for all photos or a folder of NAME.png.")
    var map: String?

    @Option(help: "Also write the map used (8-bit PNG label image, the photo's size): a file for one photo, a folder in batch mode.")
    var saveMap: String?

    @Option(help: "Quality of a lossy output (JPEG, WebP, AVIF), 1...100.")
    var quality: Int = 90

    @Option(help: "Output format: jpeg, png, webp, webp-lossless or avif (default: the output's extension; jpeg in batch mode).")
    var format: String?

    @Option(help: "How much of the adjustment to apply, 0...1 (0: the photo's own colours, 1: the full effect).")
    var strength: Double = 1

    @Option(help: "Downscale each photo first so that its longer side is at most this many pixels (64...20000); default: full resolution.")
    var maxSide: Int?

    @Flag(inversion: .prefixedNo,
          help: "Snap the map to the photo's edges before the colour pass (default: the discovered map is snapped, a --map is used as painted).")
    var refine: Bool?

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be between 1 and 100, got \(quality)") }
        guard strength.isFinite, (0...1).contains(strength) else { throw ValidationError("--strength must be between 0 and 1, got \(strength)") }
        if let format, OutputFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be one of \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")), got '\(format)'")
        }
        if let maxSide, !AdjustOptions.maxSideRange.contains(maxSide) {
            let range = AdjustOptions.maxSideRange
            throw ValidationError("--max-side must be between \(range.lowerBound) and \(range.upperBound), got \(maxSide)")
        }
        guard !inputs.isEmpty else { throw ValidationError("give at least one photo or folder") }
    }

    func run() throws {
        let plan = try AdjustPlan(inputs: inputs, output: output, map: map, saveMap: saveMap,
                                  format: format.flatMap { OutputFormat(rawValue: $0.lowercased()) })
        // Photos are adjusted one after another, so the one job gets every core.
        let threads = ThreadBudget.apply(cores: ProcessInfo.processInfo.activeProcessorCount, workers: 1)
        let catalog = try modelOptions.loadCatalog(threadsPerJob: threads)
        guard let chosen = style.map({ catalog.style($0) }) ?? catalog.defaultStyle else {
            throw CommandLineFailure("unknown style '\(style ?? "")'; available: \(catalog.ids.joined(separator: ", "))")
        }
        try plan.createFolders()

        var reporter = ProgressReporter(total: plan.jobs.count, isBatch: plan.isBatch, quiet: quiet)
        var failures = 0
        for job in plan.jobs {
            reporter.starting(job)
            let started = ContinuousClock.now
            do {
                let result = try job.run(with: chosen.pipeline, quality: quality, strength: strength, maxSide: maxSide, refine: refine)
                reporter.succeeded(job, result, after: ContinuousClock.now - started)
            } catch {
                failures += 1
                reporter.failed(job, error)
            }
        }
        reporter.finish(style: chosen.id)
        if failures > 0 { throw ExitCode.failure }
    }
}
