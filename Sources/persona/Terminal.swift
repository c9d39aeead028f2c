import ArgumentParser
import Foundation
import CustomerData
import NumericCore
import Reporting
import Segmentation

/// Everything that goes to stderr: summaries, warnings, progress and errors.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) != 0

    static func print(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Reports an error the way every command does and returns the exit code to use. Errors
    /// about a limit the library enforces get the option that raises it.
    static func fail(_ error: Error) -> ExitCode {
        print(message(for: error))
        return ExitCode(1)
    }

    /// `persona: error: …`, with the option that answers it when there is one.
    static func message(for error: Error) -> String {
        "persona: error: \(error)" + (hint(for: error).map { " (\($0))" } ?? "")
    }

    /// The command-line option that answers a library error, if one does.
    static func hint(for error: Error) -> String? {
        switch error {
        case CustomerDataError.tooManyColumns: return "--max-columns N"
        case CustomerDataError.recordTooLong: return "--max-record-size SIZE"
        case CustomerDataError.inflationLimit: return "--max-inflation RATIO"
        case CustomerDataError.unmatchedRecord:
            return "--unmatched drop leaves such lines out; --unmatched keep makes each such record a customer of its own"
        case SegmentationError.tooManyFeatures: return "--features, --exclude or a lower --max-categories"
        default: return nil
        }
    }
}

/// A one-line progress indicator on stderr, shown only on a terminal and only once the work
/// has taken more than a second; redrawn at most ten times a second. It says how far each step
/// is and, when that can be told, how long the rest should take: from the share done for
/// bytes, rows and fits (the time so far scaled up), and as an upper bound for iterations
/// (the time per iteration times the iterations left before the limit).
final class ProgressLine: @unchecked Sendable {
    // @unchecked: every stored property is read and written with `lock` held.
    private let lock = NSLock()
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private var step = ""
    private var stepStart = Date()

    func update(_ progress: WorkProgress) {
        lock.withLock {
            let now = Date()
            if progress.step != step {
                step = progress.step
                stepStart = now
            }
            draw(now) { ProgressLine.text(progress, elapsed: now.timeIntervalSince(stepStart)) }
        }
    }

    func update(_ text: @autoclosure () -> String) {
        lock.withLock { draw(Date(), text) }
    }

    private func draw(_ now: Date, _ text: () -> String) {
        guard Terminal.isInteractive else { return }
        guard now.timeIntervalSince(start) > 1, now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        drawn = true
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text()).utf8))
    }

    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
        }
    }

    /// `reading orders.csv: 512 MB of 1,450 MB (35%), about 3 s left`.
    static func text(_ p: WorkProgress, elapsed: Double) -> String {
        if p.done == 0, p.total == nil { return p.step + "…" + (p.detail.map { " " + $0 } ?? "") }
        var text = p.step + ": "
        switch p.unit {
        case .bytes:
            text += "\(Format.count(p.done >> 20)) MB" + (p.total.map { " of \(Format.count($0 >> 20)) MB" } ?? "")
        case .rows:
            text += Format.count(p.done) + (p.total.map { " of \(Format.count($0))" } ?? "") + " rows"
        case .fits:
            text += Format.count(p.done) + (p.total.map { " of \(Format.count($0))" } ?? "") + " done"
        case .iterations:
            text += Format.count(p.done) + (p.total.map { " of at most \(Format.count($0))" } ?? "") + " iterations"
            if let limit = p.total, p.done > 0, elapsed > 1 {
                text += ", at most \(duration(elapsed / Double(p.done) * Double(max(0, limit - p.done)))) left"
            }
            return text + (p.detail.map { " · " + $0 } ?? "")
        }
        if let fraction = p.fraction {
            text += " (\(Int(fraction * 100))%)"
            if fraction > 0.01, fraction < 1, elapsed > 1 { text += ", about \(duration(elapsed * (1 - fraction) / fraction)) left" }
        }
        return text + (p.detail.map { " · " + $0 } ?? "")
    }

    /// `4 s`, `2 min 05 s`, `1 h 02 min`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
        return String(format: "%d h %02d min", s / 3600, s % 3600 / 60)
    }
}

/// Number formatting for summaries: grouped integers, fixed decimals.
enum Format {
    static func count(_ n: Int) -> String { ReportFormat.count(n) }

    static func decimal(_ x: Double, _ places: Int = 4) -> String {
        String(format: "%.\(places)f", x)
    }

    static func optional(_ x: Double?, _ places: Int = 4) -> String {
        x.map { decimal($0, places) } ?? "n/a"
    }

    static func seconds(_ s: Double) -> String {
        s < 1 ? String(format: "%.0f ms", s * 1000) : String(format: "%.2f s", s)
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "0%" : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
    }
}
