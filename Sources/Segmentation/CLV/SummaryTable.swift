import CustomerData

/// The columns of a customer summary table that users made themselves (lifetimes' layout).
public struct SummaryColumns: Sendable {
    public var id, frequency, recency, T, monetary: String

    public init(id: String, frequency: String, recency: String, T: String, monetary: String) {
        (self.id, self.frequency, self.recency, self.T, self.monetary) = (id, frequency, recency, T, monetary)
    }
}

extension CustomerSummary {
    /// Reads a summary table: one row per customer with frequency, recency, T and monetary
    /// value in periods.
    /// - Parameter read: how to read the CSV; its id and numeric columns are set here.
    /// - Throws: `CustomerDataError` for unreadable files, unknown columns and text in the
    ///   number columns; `SegmentationError.summaryValue` (file, line, column, value) for an
    ///   empty cell, frequency < 0, recency < 0 or > T, recency > 0 without repeats, or a
    ///   negative monetary value.
    public static func read(path: String, columns: SummaryColumns, read given: CSVReadOptions) throws -> CustomerSummary {
        var options = given
        let names = [columns.frequency, columns.recency, columns.T, columns.monetary]
        options.idColumn = columns.id
        options.columns = [columns.id] + names
        options.columnsSource = "summary columns"
        options.numericColumns = names
        let table = try CSVReader.read(path: path, options: options)
        guard let ids = table.identifiers else {
            throw SegmentationError.noPurchases(file: table.source, problem: "no id column '\(columns.id)'")
        }
        var values = [[Double]]()
        var positions = [Int]()
        for name in names {
            guard let j = table.index(of: name), case .numeric(let column) = table.columns[j] else {
                throw SegmentationError.noPurchases(file: table.source, problem: "column '\(name)' is not numeric")
            }
            values.append(column.values)
            positions.append(j)
        }
        func fail(_ row: Int, _ k: Int, _ problem: String) -> SegmentationError {
            let value = values[k][row]
            return .summaryValue(file: table.source, line: table.line(ofRow: row), column: positions[k] + 1,
                                 name: names[k], value: value.isNaN ? "" : shortest(value), problem: problem)
        }
        for row in 0..<table.rowCount {
            for k in 0..<4 where !values[k][row].isFinite {
                throw fail(row, k, "is not a finite number: every customer needs frequency, recency, T and monetary value")
            }
            let (x, r, t, m) = (values[0][row], values[1][row], values[2][row], values[3][row])
            if x < 0 { throw fail(row, 0, "is negative: frequency counts repeat purchase periods") }
            if r < 0 { throw fail(row, 1, "is negative: recency is the age at the last purchase") }
            if r > t { throw fail(row, 1, "is larger than T (\(shortest(t))): the last purchase cannot come after the end of the period") }
            if x == 0, r != 0 { throw fail(row, 1, "is not 0 for a customer without repeat purchases (frequency 0)") }
            if m < 0 { throw fail(row, 3, "is negative: the monetary value is a mean spend") }
        }
        guard table.rowCount > 0 else {
            throw SegmentationError.noPurchases(file: table.source, problem: "the summary has no customers")
        }
        return CustomerSummary(file: table.source, idName: columns.id, ids: (0..<table.rowCount).map { ids[$0] },
                               frequency: values[0], recency: values[1], T: values[2], monetary: values[3],
                               holdout: nil, customersAfterEnd: 0)
    }
}

/// `12` for 12.0, else the shortest round-trip form.
func shortest(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? "\(Int(x))" : "\(x)"
}
