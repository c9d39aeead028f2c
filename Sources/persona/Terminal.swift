import ArgumentParser
import Foundation
import Reporting

/// Everything that goes to stderr: summaries, warnings, progress and errors.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) != 0

    static func print(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Reports an error the way every command does and returns the exit code to use.
    static func fail(_ error: Error) -> ExitCode {
        print("persona: error: \(error)")
        return ExitCode(1)
    }
}

/// A one-line progress indicator on stderr, shown only on a terminal and only once the work
/// has taken more than a second; redrawn at most ten times a second.
final class ProgressLine {
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    func update(_ text: @autoclosure () -> String) {
        guard Terminal.isInteractive else { return }
        let now = Date()
        guard now.timeIntervalSince(start) > 1, now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        drawn = true
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text()).utf8))
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
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
