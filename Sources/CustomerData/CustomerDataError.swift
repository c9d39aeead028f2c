/// Everything reading and encoding customer data can reject. Every case names the file, and
/// where there is one the line, the column (1-based number and name) and the offending value.
public enum CustomerDataError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case emptyFile(file: String)
    case headerOnly(file: String)
    case invalidDelimiter(String)
    case emptyHeaderName(file: String, column: Int)
    case duplicateHeader(file: String, name: String, columns: [Int])
    case raggedRow(file: String, line: Int, expected: Int, got: Int)
    case unterminatedQuote(file: String, line: Int, column: Int, name: String)
    case unknownColumn(file: String, option: String, name: String, available: [String])
    case missingID(file: String, line: Int, column: Int, name: String)
    case duplicateID(file: String, line: Int, column: Int, name: String, value: String, firstLine: Int)
    case notANumber(file: String, line: Int, column: Int, name: String, value: String)
    case nonFinite(file: String, line: Int, column: Int, name: String, value: String)
    /// `format` is the `--date-format` pattern, nil for ISO dates.
    case notADate(file: String, line: Int, column: Int, name: String, value: String, format: String?)
    case noValues(file: String, column: Int, name: String)
    case noFeatures(file: String, reason: String)
    case writeFailed(file: String, reason: String)
    case noCustomers(file: String, column: String, lines: Int)
    case allLinesBad(file: String, count: Int, first: String)
    case noLinesBefore(file: String, moment: String, option: String, firstDate: String)
    case sameColumnTwice(file: String, name: String, options: [String])
    case duplicateFeature(file: String, name: String, reason: String)
    /// A text column where `purpose` needs numbers.
    case notNumbers(file: String, column: Int, name: String, purpose: String)
    case log1pNotNumeric(file: String, option: String, name: String)
    case log1pDomain(file: String, line: Int, name: String, value: Double)
    /// A date that has the right layout but cannot be: `reason` says which part is wrong.
    case impossibleDate(file: String, line: Int, column: Int, name: String, value: String, reason: String)
    /// A number beyond `LargeValues.limit` in size.
    case tooLarge(file: String, line: Int, column: Int, name: String, value: String)
    /// A number beyond the float range, for a matrix kept in floats.
    case beyondFloatRange(file: String, line: Int, column: Int, name: String)
    /// A line amount (price × quantity) beyond `LargeValues.limit` in size.
    case amountTooLarge(file: String, line: Int, priceColumn: Int, priceName: String, price: String,
                        quantityColumn: Int, quantityName: String, quantity: String)
    /// A column a saved model reads that has no usable value in any row: every row would get
    /// the model's fill (`fill`), so the column would carry no information.
    case noUsableValues(file: String, column: Int, name: String, rows: Int, fill: String)
    /// A NUL byte; `name` is nil on the header line (or past its columns).
    case binaryData(file: String, line: Int, column: Int, name: String?)
    /// A record of more than `limit` bytes starting on `line`.
    case recordTooLong(file: String, line: Int, limit: Int)
    case tooManyColumns(file: String, limit: Int)
    /// A regular file whose size changed while it was read: `difference` bytes more (< 0: fewer).
    case changedWhileRead(file: String, difference: Int)
    /// A `.gz` file of `compressed` bytes that inflates past `limit` (`ratio` times its size, or the floor).
    case inflationLimit(file: String, compressed: Int, limit: Int, ratio: Int)
    /// A column that looked numeric in the first `sampleRows` rows meets text later, in an
    /// input that cannot be read a second time to read the column as text.
    case textAfterSample(file: String, line: Int, column: Int, name: String, value: String, sampleRows: Int)
    /// Statistics of the parts of one file (partitions on a cluster) that cannot be combined.
    case partsDisagree(file: String, problem: String)
    /// A negative amount in an order log read for purchase models, which count only purchases.
    case negativeAmount(file: String, line: Int, column: Int, name: String, value: String)
    /// An identities file without one of `source`, `record_id`, `customer_key`.
    case identitiesColumnMissing(file: String, name: String, available: [String])
    case identitiesBlank(file: String, line: Int, column: Int, name: String)
    /// A record given a second, different customer key (`value`) after `firstKey`.
    case identitiesConflict(file: String, line: Int, column: Int, name: String, value: String,
                            source: String, recordID: String, firstKey: String)
    /// `file` is the identities file, `log` the order log said to come from `source`.
    case unknownSource(file: String, source: String, log: String, known: [String])
    /// An order log read with an identities file but no source name.
    case logWithoutSource(file: String)
    /// An order line whose record id is not in the identities file `identities`.
    case unmatchedRecord(file: String, line: Int, column: Int, name: String, value: String, source: String, identities: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .emptyFile(file):
            return "\(file): the file is empty: expected a header row and at least one data row"
        case let .headerOnly(file):
            return "\(file): the file has a header row but no data rows"
        case let .invalidDelimiter(given):
            return "--delimiter must be 'auto', 'tab' or a single ASCII character other than a quote or newline; got \(quoted(given))"
        case let .emptyHeaderName(file, column):
            return "\(file):1: column \(column) has an empty name in the header"
        case let .duplicateHeader(file, name, columns):
            return "\(file):1: column name '\(name)' appears more than once (columns \(columns.map(String.init).joined(separator: ", ")))"
        case let .raggedRow(file, line, expected, got):
            return "\(file):\(line): expected \(expected) fields like the header, found \(got)"
        case let .unterminatedQuote(file, line, column, name):
            return "\(file):\(line): column '\(name)' (\(column)): a quoted field is never closed"
        case let .unknownColumn(file, option, name, available):
            return "\(file): \(option) names column '\(name)', which is not in the header; columns are: \(nameList(available))"
        case let .missingID(file, line, column, name):
            return "\(file):\(line): column '\(name)' (\(column)): the id is empty"
        case let .duplicateID(file, line, column, name, value, firstLine):
            return "\(file):\(line): column '\(name)' (\(column)): id \(quoted(value)) already appeared on line \(firstLine)"
        case let .notANumber(file, line, column, name, value):
            let hint = value.contains(",") && value.allSatisfy({ $0.isNumber || $0 == "," || $0 == "." || $0 == "-" })
                ? " (decimal commas and thousands separators are not read: write 12.50, not 12,50)" : ""
            return "\(file):\(line): column '\(name)' (\(column)): \(quoted(value)) is not a number\(hint)"
        case let .notADate(file, line, column, name, value, format):
            let expected = format.map { "the --date-format \"\($0)\"" }
                ?? "an ISO date such as 2011-12-09 or 2011-12-09 12:50:00 (give --date-format for other layouts)"
            return "\(file):\(line): column '\(name)' (\(column)): \(quoted(value)) is not a date: expected \(expected)"
        case let .negativeAmount(file, line, column, name, value):
            return "\(file):\(line): column '\(name)' (\(column)): \(quoted(value)) is negative: purchase models take purchases only (remove returns first)"
        case let .nonFinite(file, line, column, name, value):
            return "\(file):\(line): column '\(name)' (\(column)): \(quoted(value)) is not a finite number"
        case let .noValues(file, column, name):
            return "\(file): column '\(name)' (\(column)) has no values: every cell is empty"
        case let .noFeatures(file, reason):
            return "\(file): no feature columns to use: \(reason)"
        case let .allLinesBad(file, count, first):
            return "\(file): all \(count) lines were skipped as bad (--skip-bad-rows); the first: \(first)"
        case let .noLinesBefore(file, moment, option, firstDate):
            return "\(file): no customer has a line before \(option) \(moment); the file starts on \(firstDate)"
        case let .duplicateFeature(file, name, reason):
            return "\(file): feature '\(name)' would appear twice: \(reason)"
        case let .notNumbers(file, column, name, purpose):
            return "\(file): column '\(name)' (\(column)) holds text; \(purpose) need numbers"
        case let .log1pNotNumeric(file, option, name):
            return "\(file): \(option) names column '\(name)', which is not a numeric feature"
        case let .log1pDomain(file, line, name, value):
            return "\(file):\(line): column '\(name)': log1p needs values above -1, found \(value)"
        case let .sameColumnTwice(file, name, options):
            return "\(file): \(options.joined(separator: " and ")) both name column '\(name)'; each option needs its own column"
        case let .noCustomers(file, column, lines):
            return "\(file): none of the \(lines) lines has a customer id in column '\(column)'"
        case let .writeFailed(file, reason):
            return "\(file): cannot write: \(reason)"
        case let .impossibleDate(file, line, column, name, value, reason):
            return "\(file):\(line): column '\(name)' (\(column)): \(quoted(value)) is not a date: \(reason)"
        case let .tooLarge(file, line, column, name, value):
            return "\(file):\(line): column '\(name)' (\(column)): \(value) is too large to compute with (the limit is "
                + "\(LargeValues.limitText) in size): check that the column holds amounts or measurements, not ids or codes"
        case let .beyondFloatRange(file, line, column, name):
            return "\(file):\(line): column '\(name)' (\(column)): the value is beyond the range of 32-bit floats (about ±3.4e38), "
                + "in which this run keeps its matrix: keep the matrix in doubles for values this large"
        case let .amountTooLarge(file, line, priceColumn, priceName, price, quantityColumn, quantityName, quantity):
            return "\(file):\(line): the line amount '\(priceName)' (\(priceColumn)) × '\(quantityName)' (\(quantityColumn)) = "
                + "\(price) × \(quantity) is too large to compute with (the limit is \(LargeValues.limitText) in size): "
                + "check that these columns hold prices and quantities, not ids or codes"
        case let .noUsableValues(file, column, name, rows, fill):
            return "\(file): column '\(name)' (\(column)) has no usable value in any of its \(rows) rows (every cell is empty "
                + "or unreadable): the model would give every row its fill, \(fill), so the column carries no information; "
                + "fill in the column, or use a model fitted without it"
        case let .binaryData(file, line, column, name):
            let place = name.map { "column '\($0)' (\(column))" } ?? (line == 1 ? "the header, column \(column)" : "column \(column)")
            return "\(file):\(line): \(place): a NUL byte (\\0): this looks like binary data, not CSV text"
        case let .recordTooLong(file, line, limit):
            return "\(file):\(line): a record longer than \(byteSize(limit)) (no line end, or a quoted field that never closes): this does not look like CSV text; if it is, raise the record length limit"
        case let .tooManyColumns(file, limit):
            return "\(file):1: the header has more than \(count(limit)) columns; if the file really is that wide, raise the column limit"
        case let .changedWhileRead(file, difference):
            let change = difference < 0 ? "it is \(count(-difference)) bytes shorter"
                : difference > 0 ? "it is \(count(difference)) bytes longer" : "a second reading differs from the first"
            return "\(file): the file changed while it was read (\(change)); read it again once nothing writes to it"
        case let .inflationLimit(file, compressed, limit, ratio):
            return "\(file): \(byteSize(compressed)) of gzip data inflate to more than \(byteSize(limit)) (the limit: \(ratio) times the compressed size, and never below \(byteSize(InputLimits.inflationFloor))); real exports compress 3 to 20 times, so this looks like a decompression bomb; if the file is genuine, raise the inflation limit"
        case let .textAfterSample(file, line, column, name, value, sampleRows):
            return "\(file):\(line): column '\(name)' (\(column)): \(quoted(value)) is not a number, but the first \(count(sampleRows)) rows were; the column would be read again as text, and this input (a pipe) cannot be read twice: save it to a file and read that"
        case let .partsDisagree(file, problem):
            return "\(file): the partitions cannot be combined: \(problem)"
        case let .identitiesColumnMissing(file, name, available):
            return "\(file): no column '\(name)': an identities file has the columns source, record_id and customer_key "
                + "(as persona identity writes it); its columns are: \(nameList(available))"
        case let .identitiesBlank(file, line, column, name):
            return "\(file):\(line): column '\(name)' (\(column)): the value is empty; every row of an identities file needs "
                + "a source, a record id and a customer key"
        case let .identitiesConflict(file, line, column, name, value, source, recordID, firstKey):
            return "\(file):\(line): column '\(name)' (\(column)): \(quoted(value)): record \(quoted(recordID)) of source "
                + "'\(source)' already has customer key \(quoted(firstKey)) on an earlier line; a record belongs to one customer"
        case let .unknownSource(file, source, log, known):
            return "\(file): no record has source '\(source)' (the source given for \(log)); its sources are: \(nameList(known))"
        case let .logWithoutSource(file):
            return "\(file): no source given: with an identities file, each order log needs the name of the source its record ids come from"
        case let .unmatchedRecord(file, line, column, name, value, source, identities):
            return "\(file):\(line): column '\(name)' (\(column)): \(quoted(value)) is not a record of source '\(source)' in \(identities)"
        }
    }
}

/// `'a', 'b', 'c'`: names as a list, cut after 30.
func nameList(_ names: [String]) -> String {
    names.prefix(30).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 30 ? ", …" : "")
}

/// `1,234,567`: a count with thousands separators.
func count(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}

/// A value in double quotes with quotes and control characters escaped, cut at 80 characters.
func quoted(_ value: String) -> String {
    var out = "\""
    for (i, ch) in value.enumerated() {
        if i == 80 { out += "…"; break }
        switch ch {
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default: out.append(ch)
        }
    }
    return out + "\""
}
