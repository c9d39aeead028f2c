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
    /// Statistics of the parts of one file (partitions on a cluster) that cannot be combined.
    case partsDisagree(file: String, problem: String)

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
            let list = available.prefix(30).map { "'\($0)'" }.joined(separator: ", ")
            return "\(file): \(option) names column '\(name)', which is not in the header; columns are: \(list)\(available.count > 30 ? ", …" : "")"
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
        case let .partsDisagree(file, problem):
            return "\(file): the partitions cannot be combined: \(problem)"
        }
    }
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
