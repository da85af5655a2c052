import AdjustService
import Dispatch
import Foundation

/// Looks at the models folder every `interval` and at once on SIGHUP, and hands every reload that
/// changed something to `changed` (log and metrics). The poll waits for a changed file to stop
/// changing before it loads it; SIGHUP is the operator saying the files are in place, so it loads
/// at once. One serial queue runs both, so reloads never overlap.
/// Unchecked Sendable: Dispatch sources are thread-safe but not declared Sendable; both are only
/// created in init and cancelled in stop.
final class ModelFolderWatch: @unchecked Sendable {
    private let queue = DispatchQueue(label: "semadjust.models-watch")
    private let timer: any DispatchSourceTimer
    private let hangup: any DispatchSourceSignal

    init(styles: LiveStyleCatalog, every interval: Duration?,
         changed: @escaping @Sendable (LiveStyleCatalog.ReloadReport) -> Void) {
        let look: @Sendable (Bool) -> Void = { waitForQuiet in
            let report = styles.reload(waitForQuiet: waitForQuiet)
            if report.changesStyles || !report.failed.isEmpty { changed(report) }
        }
        timer = DispatchSource.makeTimerSource(queue: queue)
        if let interval {
            let ms = Int(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
            timer.schedule(deadline: .now() + .milliseconds(ms), repeating: .milliseconds(ms), leeway: .milliseconds(ms / 10))
            timer.setEventHandler { look(true) }
            timer.resume()
        }
        hangup = Self.signalSource(SIGHUP, queue: queue)
        hangup.setEventHandler { look(false) }
        hangup.resume()
    }

    func stop() {
        timer.cancel()
        hangup.cancel()
    }
}
