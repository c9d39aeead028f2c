import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import Reporting
import Segmentation

/// Options every data-reading command shares.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Field separator: 'auto' (detected from the first lines among , ; tab |; a note says when it is not a comma), one ASCII character, or 'tab'.", valueName: "CHAR"))
    var delimiter: String = "auto"

    @Option(parsing: .unconditional, help: ArgumentHelp("Worker threads (results do not depend on it). Default: all cores.", valueName: "T"))
    var threads: Int?

    @OptionGroup var limits: LimitOptions

    func validate() throws {
        _ = try explicitDelimiter()
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1; got \(threads)")
        }
    }

    /// How to read the main input at `path`: the separator given, or detected — from the
    /// first lines beforehand for a file (with a note when it is not a comma), or as the
    /// lines are read for a pipe, which can be read only once. Reading progress goes to
    /// `progress`.
    func readOptions(for path: String, progress: ProgressLine? = nil) throws -> CSVReadOptions {
        var read = CSVReadOptions()
        read.threads = threadCount
        read.limits = try limits.limits()
        if let given = try explicitDelimiter() {
            read.delimiter = given
        } else if isPipe(path) {
            read.detectDelimiter = true
            read.delimiterDetected = { detected in
                if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: path, detected)) }
            }
        } else {
            read.delimiter = try delimiter(for: path)
        }
        if let progress { read.progress = { progress.update($0) } }
        return read
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
        if isPipe(path) {
            throw ValidationError("\(path) is a pipe, which can be read only once, so its separator cannot be detected first: give --delimiter")
        }
        let detected = try DelimiterSniffer.detect(path: path)
        if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: path, detected)) }
        return detected
    }

    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
}

/// Whether `path` is a pipe, FIFO or device: something that hands out its bytes once.
func isPipe(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0 else { return false }
    let type = info.st_mode & S_IFMT
    return type != S_IFREG && type != S_IFDIR
}

/// `--max-columns`, `--max-record-size`, `--max-inflation`: the input limits, shared by every
/// command that reads data.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("max-columns"), help: ArgumentHelp("Refuse an input whose header has more columns (default: \(Format.count(InputLimits.defaultMaxColumns)), a spreadsheet's width).", valueName: "N"))
    var maxColumns: Int = InputLimits.defaultMaxColumns

    @Option(name: .customLong("max-record-size"), help: ArgumentHelp("Refuse a record (a line, or several when a quoted field holds line breaks) longer than SIZE, such as 64M or 1G (default: 16M): a file without line ends is not CSV.", valueName: "SIZE"))
    var maxRecordSize: String = "16M"

    @Option(name: .customLong("max-inflation"), help: ArgumentHelp("Refuse a .gz input that inflates to more than RATIO times its compressed size (and more than 64 MiB): a decompression bomb. Real CSV exports compress 3-20 times (default: \(InputLimits.defaultMaxInflation)).", valueName: "RATIO"))
    var maxInflation: Int = InputLimits.defaultMaxInflation

    func validate() throws { _ = try limits() }

    func limits() throws -> InputLimits {
        guard maxColumns >= 1 else { throw ValidationError("--max-columns must be at least 1; got \(maxColumns)") }
        guard maxInflation >= 1 else { throw ValidationError("--max-inflation must be at least 1; got \(maxInflation)") }
        guard let bytes = byteCount(maxRecordSize), bytes >= 1 else {
            throw ValidationError("--max-record-size must be a size such as 64M, 1G or 500000 (bytes); got '\(maxRecordSize)'")
        }
        return InputLimits(maxColumns: maxColumns, maxRecordBytes: bytes, maxInflation: maxInflation)
    }
}

/// `500000`, `64K`, `16M`, `1.5G`, `2T` (binary multiples; `KB`, `KiB` and the like also read).
func byteCount(_ text: String) -> Int? {
    var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
    for suffix in ["IB", "B"] where digits.hasSuffix(suffix) && digits.count > suffix.count { digits.removeLast(suffix.count) }
    let units: [Character: Double] = ["K": 1024, "M": 1_048_576, "G": 1_073_741_824, "T": 1_099_511_627_776]
    var scale = 1.0
    if let last = digits.last, let unit = units[last] {
        scale = unit
        digits.removeLast()
    }
    guard let value = Double(digits), value.isFinite, value >= 0, value * scale < Double(Int.max) else { return nil }
    return Int(value * scale)
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
        try checkLanguage(lang, wanted: wanted, outputs: "the report and the notebook: add --report or --notebook")
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

/// Refuses a `--lang` other than en or zh, and one given without an output it changes
/// (`outputs` says which: "the report: add --report").
func checkLanguage(_ lang: String, wanted: Bool, outputs: String) throws {
    guard Language(rawValue: lang) != nil else { throw ValidationError("--lang must be en or zh; got '\(lang)'") }
    if lang != "en", !wanted { throw ValidationError("--lang only changes \(outputs)") }
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

/// Which columns become features: persona cluster and its partitioned form (persona step
/// plan-cluster) take the same three options.
struct FeatureColumnOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Feature columns, comma-separated (default: every column but the id).", valueName: "A,B,..."))
    var features: String?

    @Option(help: ArgumentHelp("Columns to leave out when --features is not given.", valueName: "A,B,..."))
    var exclude: String?

    @Option(help: ArgumentHelp("Columns that must be numeric: a non-number there is an error.", valueName: "A,B,..."))
    var numeric: String?
}

/// The separator `--delimiter` names for an order log: nil for `auto`; `whitespace` for runs
/// of spaces (fixed-width text such as CDNOW).
func orderLogSeparator(_ delimiter: String) throws -> OrderLogOptions.Separator? {
    switch delimiter {
    case "auto": return nil
    case "whitespace", "space", " ": return .whitespace
    case "tab", "\\t": return .byte(0x09)
    default:
        guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != 0x22, byte != 0x0A, byte != 0x0D else {
            throw ValidationError("--delimiter must be 'auto', 'tab', 'whitespace' or one ASCII character other than a quote or newline; got '\(delimiter)'")
        }
        return .byte(byte)
    }
}

/// A date option (`2011-12-10`, or with a time) as seconds since 1970.
func dateOption(_ text: String, option: String) throws -> Int64 {
    let bytes = Array(text.utf8)
    let parsed = bytes.withUnsafeBufferPointer { buffer in
        buffer.baseAddress.flatMap { TimestampFormat.iso.parse($0, buffer.count) }
    }
    guard let seconds = parsed else {
        throw ValidationError("\(option) must be a date such as 2011-12-10 (or 2011-12-10 12:00:00); got '\(text)'")
    }
    return seconds
}

/// The pseudonym key from `--hash-key` (given as `option`) or else the PERSONA_HASH_KEY
/// environment variable; nil when neither is set. A key under 16 bytes is refused, naming
/// where it came from.
func keyedHash(option given: String?) throws -> KeyedHash? {
    guard let key = given ?? ProcessInfo.processInfo.environment["PERSONA_HASH_KEY"], !key.isEmpty else { return nil }
    do {
        return try KeyedHash(key: Array(key.utf8))
    } catch {
        throw ValidationError("\(given == nil ? "PERSONA_HASH_KEY" : "--hash-key"): \(error)")
    }
}

/// `--join FILE.csv`: columns from another file (CLV.csv, a score file) joined on by id.
struct JoinOptions: ParsableArguments {
    @Option(name: .customLong("join"), help: ArgumentHelp("Add the columns of another CSV with the same id column (such as persona clv's CLV.csv: clv, p_alive, loyalty_tier), row by row by id, for configs and rules to use; blank where it has no row. Columns the input already has are kept from the input. Repeatable.", valueName: "FILE.csv"))
    var joins: [String] = []

    /// The files read with the id column `id`, each with its own separator detected.
    func tables(id: String, input: InputOptions) throws -> [CustomerTable] {
        try joins.map { path in
            var options = try input.readOptions(for: path)
            options.idColumn = id
            return try CSVReader.read(path: path, options: options)
        }
    }

    /// One line per joined file for the summary.
    static func notes(_ joins: [TableJoin]) -> [String] {
        joins.map { join in
            var text = "joined \(join.file): \(join.added.joined(separator: ", ")); \(Format.count(join.matched)) customers matched"
            if join.unmatched > 0 { text += ", \(Format.count(join.unmatched)) without a row there (blank)" }
            if !join.alreadyPresent.isEmpty { text += "; kept the input's \(join.alreadyPresent.joined(separator: ", "))" }
            return "  " + text
        }
    }
}
