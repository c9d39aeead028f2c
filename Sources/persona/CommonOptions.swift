import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import Reporting

/// Options every data-reading command shares.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Field separator: 'auto' (detected from the first lines among , ; tab |; a note says when it is not a comma), one ASCII character, or 'tab'.", valueName: "CHAR"))
    var delimiter: String = "auto"

    @Option(parsing: .unconditional, help: ArgumentHelp("Worker threads (results do not depend on it). Default: all cores.", valueName: "T"))
    var threads: Int?

    func validate() throws {
        _ = try explicitDelimiter()
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1; got \(threads)")
        }
    }

    /// The byte `--delimiter` names; nil for `auto`.
    func explicitDelimiter() throws -> UInt8? {
        if delimiter == "auto" { return nil }
        if delimiter == "tab" || delimiter == "\\t" { return 0x09 }
        guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != 0x22, byte != 0x0A, byte != 0x0D else {
            throw ValidationError(CustomerDataError.invalidDelimiter(delimiter).description)
        }
        return byte
    }

    /// The separator to read `path` with: the one given, or the one detected in the file's
    /// first lines, with a note on stderr when that is not a comma.
    func delimiter(for path: String) throws -> UInt8 {
        if let given = try explicitDelimiter() { return given }
        let detected = try DelimiterSniffer.detect(path: path)
        if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: path, detected)) }
        return detected
    }

    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
}

/// `note: orders.csv: fields separated by ';' (detected; give --delimiter to override)`.
func delimiterNote(file path: String, _ delimiter: UInt8) -> String {
    let shown = delimiter == 0x09 ? "tabs" : "'\(String(UnicodeScalar(delimiter)))'"
    return "note: \((path as NSString).lastPathComponent): fields separated by \(shown) (detected; give --delimiter to override)"
}

/// Splits `A,B,C` lists given to options such as `--features`.
func columnList(_ text: String?) -> [String]? {
    guard let text else { return nil }
    return text.split(separator: ",", omittingEmptySubsequences: true)
        .map { $0.trimmingCharacters(in: .whitespaces) }
}

/// `--report`, `--notebook` and `--lang`, shared by cluster, segment and churn train.
struct ReportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also write an HTML report: one self-contained file (inline SVG charts, no scripts, opens offline, prints).", valueName: "REPORT.html"))
    var report: String?

    @Option(help: ArgumentHelp("Also write a Jupyter notebook (nbformat 4) with the report's figures and pandas code that reloads the outputs.", valueName: "OUT.ipynb"))
    var notebook: String?

    @Option(help: ArgumentHelp("Language of the report and notebook: en (default) or zh (中文).", valueName: "en|zh"))
    var lang: String = "en"

    func validate() throws {
        guard Language(rawValue: lang) != nil else { throw ValidationError("--lang must be en or zh; got '\(lang)'") }
        if lang != "en", !wanted { throw ValidationError("--lang only changes the report and the notebook: add --report or --notebook") }
    }

    var language: Language { Language(rawValue: lang) ?? .en }

    var wanted: Bool { report != nil || notebook != nil }

    /// The notebook reloads `file` (given with `option`): refuse a notebook without it.
    func requireForNotebook(_ file: String?, option: String) throws {
        if notebook != nil, file == nil {
            throw ValidationError("--notebook needs \(option): the notebook's code reloads that file")
        }
    }

    /// Paths as the notebook's code sees them (relative to the notebook's folder).
    func relative(_ path: String) -> String {
        notebook.map { ReportFiles.relative(path, from: $0) } ?? path
    }

    /// Renders the document into the staged outputs.
    func stage(_ document: ReportDocument, into outputs: OutputSet) throws {
        if let report { try outputs.stage(Array(HTMLReport.render(document).utf8), to: report) }
        if let notebook { try outputs.stage(try Notebook.render(document), to: notebook) }
    }
}

/// Refuses, before any work, two options naming one output file, an output that is one of the
/// inputs (same file by device and inode: another spelling, a hard or a symbolic link), and an
/// output path holding a directory, a link, a pipe or a device.
func checkDistinctOutputs(_ outputs: [(option: String, path: String?)], inputs: [(option: String, path: String?)] = []) throws {
    do {
        try OutputPaths.check(outputs: outputs.map { ($0.option, $0.path) }, inputs: inputs.map { ($0.option, $0.path) })
    } catch {
        throw ValidationError(error.description)
    }
}

extension OutputSet {
    /// The outputs of one command, with its notes (waiting for another run, a rollback) on stderr.
    static func forCommand() -> OutputSet {
        OutputSet { Terminal.print("note: \($0)") }
    }
}
