import Foundation
@testable import CustomerData

/// The typed CSV reader (`CSVReader`) and the all-text one (`CSVRecords`): one input is a
/// file's bytes, read with the separator the sniffer picks and, for inputs whose hash is odd,
/// the first header name as the id column.
///
/// Properties:
/// - errors are `CustomerDataError`;
/// - reading in blocks of a few bytes gives the same table,
///   or the same error, as one block;
/// - on quote-free input without NUL bytes, the table (names, kinds, values, levels, ids,
///   lines) or the error is the one `expectedTable` works out from `ReferenceCSV` and the
///   number reference, following the reader's documented rules;
/// - `CSVRecords` returns exactly the reference's header and records.
enum CSVReaderTarget: FuzzTarget {
    static let name = "csv-reader"
    static let maxLength = 4096

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let hash = stableHash(input)
        var options = CSVReadOptions()
        options.delimiter = DelimiterSniffer.detect(bytes: input, complete: true)
        let body = input.starts(with: [0xEF, 0xBB, 0xBF]) ? input[3...] : input[...]
        if hash & 1 == 1, let first = ReferenceCSV(body, delimiter: options.delimiter).records.first?.fields.first {
            options.idColumn = String(decoding: first, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        let context = "reading \(shown(input)) (delimiter \(shown([options.delimiter])), id \(options.idColumn ?? "none"))"

        let whole = try read(input, options)
        var stepped = options
        stepped.blockBytes = 16 + Int((hash >> 8) % 61)
        let inSteps = try read(input, stepped)
        try require(same(whole, inSteps), "\(context): in blocks of \(stepped.blockBytes) bytes gives \(describe(inSteps)), in one block \(describe(whole))")

        if case .success = whole { FuzzStats.accepted(name, "tables") }
        if ReferenceCSV.quoteFree(input), !input.contains(0) {
            let expected = expectedTable(body, options: options)
            try require(same(whole, expected), "\(context): got \(describe(whole)), the reference expects \(describe(expected))")
        }
        try checkRecords(input, body: body, delimiter: options.delimiter)
    }

    static func read(_ input: [UInt8], _ options: CSVReadOptions) throws(PropertyViolation) -> Result<CustomerTable, CustomerDataError> {
        do {
            return .success(try CSVReader.read(bytes: input, name: "f.csv", options: options))
        } catch let error as CustomerDataError {
            return .failure(error)
        } catch {
            throw unexpected(error, from: "CSVReader.read")
        }
    }

    /// `CSVRecords.read` (from a file) against the reference splitter.
    static func checkRecords(_ input: [UInt8], body: ArraySlice<UInt8>, delimiter: UInt8) throws(PropertyViolation) {
        let got: Result<CSVRecords, CustomerDataError> = try ScratchFile.with(input) { path throws(PropertyViolation) in
            do {
                return .success(try CSVRecords.read(path: path, delimiter: delimiter))
            } catch let error as CustomerDataError {
                return .failure(error)
            } catch {
                throw unexpected(error, from: "CSVRecords.read")
            }
        }
        let context = "CSVRecords reading \(shown(input)) with delimiter \(shown([delimiter]))"
        if let nul = body.firstIndex(of: 0) {
            // A NUL byte is binary data: refused, after the errors of the whole records before
            // it (errors come in file order).
            let before = ReferenceCSV(body[..<nul], delimiter: delimiter)
            var whole = before.records
            let cutAtLineEnd = body[..<nul].last == 0x0A || body[..<nul].last == 0x0D
            if before.unterminated == nil, !cutAtLineEnd, !whole.isEmpty { whole.removeLast() }
            var ragged: ReferenceCSV.Record?
            if let header = whole.first { ragged = whole.dropFirst().first { $0.fields.count != header.fields.count } }
            switch got {
            case .failure(.binaryData) where ragged == nil:
                return
            case let .failure(.raggedRow(_, line, _, got: fields)) where line == ragged?.line && fields == ragged?.fields.count:
                return
            default:
                let want = ragged.map { "the ragged record on line \($0.line)" } ?? "the NUL byte refused"
                throw PropertyViolation("\(context): \((try? got.get()).map { "\($0.rows.count) records" } ?? "\(got)"), expected \(want)")
            }
        }
        let reference = ReferenceCSV(body, delimiter: delimiter)
        var expected: Result<(header: [String], rows: [(Int, [String])]), CustomerDataError>
        let file = (try? got.get().file) ?? ""
        let strings = { (fields: [[UInt8]]) in fields.map { String(decoding: $0, as: UTF8.self) } }
        if let header = reference.records.first {
            let names = strings(header.fields)
            if let k = reference.records.dropFirst().firstIndex(where: { $0.fields.count != header.fields.count }) {
                let bad = reference.records[k]
                expected = .failure(.raggedRow(file: file, line: bad.line, expected: names.count, got: bad.fields.count))
            } else if let (line, field) = reference.unterminated {
                let column = min(field, names.count - 1)
                expected = .failure(.unterminatedQuote(file: file, line: line, column: column + 1, name: names[column]))
            } else {
                expected = .success((names, reference.records.dropFirst().map { ($0.line, strings($0.fields)) }))
            }
        } else if let (line, _) = reference.unterminated {
            expected = .failure(.unterminatedQuote(file: file, line: line, column: 1, name: "(header)"))
        } else {
            expected = .failure(.emptyFile(file: file))
        }
        switch (got, expected) {
        case let (.success(records), .success(want)):
            try require(records.header == want.header, "\(context): header \(records.header), the reference's is \(want.header)")
            try require(records.rows.map(\.line) == want.rows.map(\.0), "\(context): record lines \(records.rows.map(\.line)), the reference's are \(want.rows.map(\.0))")
            try require(records.rows.map(\.fields) == want.rows.map(\.1), "\(context): records differ from the reference's")
        case let (.failure(error), .failure(want)):
            // The file name is the scratch file's; compare the rest.
            try require(error.description.drop { $0 != ":" } == want.description.drop { $0 != ":" },
                        "\(context): \(error), the reference expects \(want)")
        case let (.success(records), .failure(want)):
            throw PropertyViolation("\(context): read \(records.rows.count) records, the reference expects \(want)")
        case let (.failure(error), .success):
            throw PropertyViolation("\(context): \(error), the reference expects success")
        }
    }

    // MARK: - The reference table

    /// What the reader should return for quote-free `body` (BOM already dropped), from its
    /// documented rules: header names trimmed, unique and non-empty; every data record as wide
    /// as the header; a column is numeric when every cell is a number or missing (a non-finite
    /// value there is an error), text otherwise (cells trimmed of spaces and tabs, blank is
    /// missing, levels in order of appearance); ids verbatim, never blank, never repeated.
    static func expectedTable(_ body: ArraySlice<UInt8>, options: CSVReadOptions) -> Result<CustomerTable, CustomerDataError> {
        let file = "f.csv"
        guard body.contains(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) else { return .failure(.emptyFile(file: file)) }
        let reference = ReferenceCSV(body, delimiter: options.delimiter)
        guard let headerRecord = reference.records.first else { return .failure(.emptyFile(file: file)) }
        let header = headerRecord.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }
        var seen = [String: Int]()
        for (j, name) in header.enumerated() {
            if name.isEmpty { return .failure(.emptyHeaderName(file: file, column: j + 1)) }
            if let first = seen[name] { return .failure(.duplicateHeader(file: file, name: name, columns: [first + 1, j + 1])) }
            seen[name] = j
        }
        if let id = options.idColumn, !header.contains(id) {
            return .failure(.unknownColumn(file: file, option: "--id", name: id, available: header))
        }
        let rows = Array(reference.records.dropFirst())
        if let bad = rows.first(where: { $0.fields.count != header.count }) {
            return .failure(.raggedRow(file: file, line: bad.line, expected: header.count, got: bad.fields.count))
        }
        guard !rows.isEmpty else { return .failure(.headerOnly(file: file)) }
        var columns = [CustomerTable.Column]()
        for (j, name) in header.enumerated() {
            let cells = rows.map { $0.fields[j] }
            if name == options.idColumn {
                var offsets = IdentifierOffsets(), end = 0
                for cell in cells {
                    end += cell.count
                    offsets.append(end)
                }
                columns.append(.identifier(IdentifierColumn(bytes: cells.flatMap { $0 }, offsets: offsets)))
                continue
            }
            let parsed = cells.map(NumberTarget.reference)
            if parsed.contains(.notANumber) {
                var levels = [String](), codes = [Int32](), index = [[UInt8]: Int32]()
                for cell in cells {
                    var t = cell[...]
                    while let f = t.first, f == 0x20 || f == 0x09 { t.removeFirst() }
                    while let l = t.last, l == 0x20 || l == 0x09 { t.removeLast() }
                    if t.isEmpty { codes.append(-1); continue }
                    if let code = index[Array(t)] { codes.append(code); continue }
                    index[Array(t)] = Int32(levels.count)
                    codes.append(Int32(levels.count))
                    levels.append(String(decoding: t, as: UTF8.self))
                }
                columns.append(.text(TextColumn(codes: codes, levels: levels)))
                continue
            }
            var values = [Double](), missing = 0
            for (row, value) in parsed.enumerated() {
                switch value {
                case .number(let v): values.append(v)
                case .missing: values.append(.nan); missing += 1
                default:
                    return .failure(.nonFinite(file: file, line: rows[row].line, column: j + 1, name: name,
                                               value: String(decoding: cells[row], as: UTF8.self)))
                }
            }
            columns.append(.numeric(NumericColumn(values: values, missingCount: missing)))
        }
        if let id = options.idColumn, let j = header.firstIndex(of: id) {
            if let row = rows.firstIndex(where: { $0.fields[j].allSatisfy { $0 == 0x20 || $0 == 0x09 } }) {
                return .failure(.missingID(file: file, line: rows[row].line, column: j + 1, name: id))
            }
            var first = [[UInt8]: Int]()
            for (row, record) in rows.enumerated() {
                if let earlier = first[record.fields[j]] {
                    return .failure(.duplicateID(file: file, line: record.line, column: j + 1, name: id,
                                                 value: String(decoding: record.fields[j], as: UTF8.self), firstLine: rows[earlier].line))
                }
                first[record.fields[j]] = row
            }
        }
        return .success(CustomerTable(source: file, columnNames: header, columns: columns, rowCount: rows.count,
                                      rowLines: LineNumbers(rows.map { Int32($0.line) })))
    }

    // MARK: - Comparing tables

    static func same(_ a: Result<CustomerTable, CustomerDataError>, _ b: Result<CustomerTable, CustomerDataError>) -> Bool {
        switch (a, b) {
        case let (.success(x), .success(y)): return same(x, y)
        case let (.failure(x), .failure(y)): return x == y
        default: return false
        }
    }

    static func same(_ a: CustomerTable, _ b: CustomerTable) -> Bool {
        guard a.columnNames == b.columnNames, a.rowCount == b.rowCount, a.rowLines == b.rowLines,
              a.columns.count == b.columns.count else { return false }
        for (x, y) in zip(a.columns, b.columns) {
            switch (x, y) {
            case let (.numeric(p), .numeric(q)):
                guard sameDoubles(p.values, q.values), p.missingCount == q.missingCount else { return false }
            case let (.text(p), .text(q)):
                guard p.codes == q.codes, p.levels == q.levels else { return false }
            case let (.identifier(p), .identifier(q)):
                guard p.count == q.count, p.withBytesView({ pv in q.withBytesView { qv in (0..<p.count).allSatisfy { Array(pv[$0]) == Array(qv[$0]) } } })
                else { return false }
            case (.skipped, .skipped):
                continue
            default:
                return false
            }
        }
        return true
    }

    static func describe(_ result: Result<CustomerTable, CustomerDataError>) -> String {
        switch result {
        case .failure(let error): return "the error \(error)"
        case .success(let table):
            let columns = zip(table.columnNames, table.columns).map { name, column -> String in
                switch column {
                case .numeric(let c): return "\(name): numbers \(c.values)"
                case .text(let c): return "\(name): text \(c.codes.map { $0 < 0 ? "nil" : c.levels[Int($0)] })"
                case .identifier(let c): return "\(name): ids \((0..<c.count).map { c[$0] })"
                case .skipped: return "\(name): skipped"
                }
            }
            return "a table of \(table.rowCount) rows on lines \(table.rowLines): \(columns.joined(separator: "; "))"
        }
    }
}
