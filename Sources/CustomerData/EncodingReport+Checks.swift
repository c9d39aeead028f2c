import Foundation

extension EncodingReport {
    /// Refuses a table in which a column a saved encoding reads has no usable value at all:
    /// every row would get the fill (the training median, or a text column's reference
    /// level), so the column would say nothing about any customer — most often an export whose
    /// column came out blank. A table of one row is let through: one customer with a missing
    /// value is what the fill is for.
    /// - Throws: `CustomerDataError.noUsableValues` naming the first such column.
    public func requireValues(in table: CustomerTable) throws(CustomerDataError) {
        let rows = table.rowCount
        guard rows >= 2 else { return }
        let filled = imputations.filter { $0.count == rows }.map { ($0.column, String(format: "%.6g", $0.value)) }
            + missingCategories.filter { $0.value == rows }.map { ($0.key, "its reference level") }.sorted { $0.0 < $1.0 }
        guard let (name, fill) = filled.min(by: { (table.index(of: $0.0) ?? 0) < (table.index(of: $1.0) ?? 0) }) else { return }
        throw .noUsableValues(file: table.source, column: (table.index(of: name) ?? 0) + 1, name: name, rows: rows, fill: fill)
    }
}
