import AdjustService
import Foundation

/// Tells the person or the log what `semadjust adjust` is doing, on stderr.
///
/// On a terminal a batch shows one progress bar redrawn in place, with failures printed above
/// it; anywhere else (CI logs, `2> file`) each photo gets one plain line, because carriage-return
/// redraws would turn a log into noise.
struct ProgressReporter {
    let total: Int
    let isBatch: Bool
    let quiet: Bool
    let drawsBar: Bool
    private var done = 0
    private var failed: [String] = []
    private let started = ContinuousClock.now

    init(total: Int, isBatch: Bool, quiet: Bool, isTerminal: Bool = StandardError.isTerminal) {
        self.total = total
        self.isBatch = isBatch
        self.quiet = quiet
        drawsBar = isBatch && isTerminal && !quiet
    }

    mutating func starting(_ job: AdjustJob) {
        if drawsBar { drawBar(current: job.input) }
    }

    mutating func succeeded(_ job: AdjustJob, _ result: AdjustResult, after elapsed: Duration) {
        done += 1
        if drawsBar {
            drawBar(current: nil)
        } else if !quiet {
            let coverage = result.coverage.map { String(format: "%.2f", $0) }.joined(separator: ",")
            let map = result.usedUserMap ? "your map" : "coverage \(coverage)"
            StandardError.write("\(prefix)\(job.input) -> \(job.output) (\(result.width)×\(result.height), \(map), \(Self.seconds(elapsed)))\n")
        }
    }

    mutating func failed(_ job: AdjustJob, _ failure: CommandLineFailure) {
        done += 1
        failed.append(job.input)
        if drawsBar { StandardError.write("\r\u{1B}[2K") }
        StandardError.write("\(prefix)error: \(job.input): \(failure)\n")
        if drawsBar { drawBar(current: nil) }
    }

    /// The closing line of a batch: how many made it and which did not.
    func finish(style: String) {
        if drawsBar { StandardError.write("\r\u{1B}[2K") }
        guard isBatch else { return }
        let succeeded = total - failed.count
        var line = "adjusted \(succeeded) of \(total) photo\(total == 1 ? "" : "s") with style \(style) in \(Self.seconds(ContinuousClock.now - started))"
        if !failed.isEmpty {
            let shown = failed.prefix(5).joined(separator: ", ")
            line += "; \(failed.count) failed: \(shown)\(failed.count > 5 ? ", …" : "")"
        }
        if !quiet || !failed.isEmpty { StandardError.write(line + "\n") }
    }

    private var prefix: String { isBatch ? "[\(done)/\(total)] " : "" }

    private func drawBar(current: String?) {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        var line = "\r\u{1B}[2K\(bar) \(done)/\(total)"
        if !failed.isEmpty { line += " (\(failed.count) failed)" }
        if done > 0 && done < total {
            let perPhoto = (ContinuousClock.now - started) / done
            line += " eta \(Self.seconds(perPhoto * (total - done)))"
        }
        if let current { line += "  " + Self.shortened((current as NSString).lastPathComponent, to: 32) }
        StandardError.write(line)
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", duration / .seconds(1))
    }

    static func shortened(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
