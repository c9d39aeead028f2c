import Foundation
import NumericCore

/// One row per customer, built from an order log: what `persona features` writes.
public struct CustomerFeatures: Sendable {
    public enum Values: Sendable, Equatable {
        /// NaN is a blank cell.
        case numbers([Double])
        /// nil is a blank cell.
        case text([String?])
    }

    public struct Column: Sendable, Equatable {
        public let name: String
        public let values: Values
    }

    /// The id column's name, as in the input.
    public let idName: String
    /// Ids in Unicode code point order.
    public let ids: [String]
    public let columns: [Column]
    public let report: OrderLogReport

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }

    static let chunkRows = 65_536

    /// The table as CSV text; rows are formatted in chunks on `threads` threads (the bytes do
    /// not depend on it).
    public func csv(threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [UInt8] {
        var bytes = [UInt8]()
        writeCSV(threads: threads) { bytes += $0 }
        return bytes
    }

    /// Hands `write` the CSV text in order, chunk by chunk, while `threads` threads format the
    /// chunks after it: writing a large table overlaps with formatting it.
    public func writeCSV(threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                         _ write: ([UInt8]) throws -> Void) rethrows {
        var header = CSVWriter()
        header.field(idName)
        for column in columns { header.field(column.name) }
        header.endRow()
        try write(header.bytes)
        let chunks = (ids.count + Self.chunkRows - 1) / Self.chunkRows
        try FormattedChunks.write(count: chunks, threads: threads, format: { [self] chunk, out in rows(chunkRange(chunk), into: &out) },
                                  write)
    }

    private func chunkRange(_ chunk: Int) -> Range<Int> {
        chunk * Self.chunkRows..<min(ids.count, (chunk + 1) * Self.chunkRows)
    }

    private func rows(_ range: Range<Int>, into writer: inout CSVWriter) {
        // The columns' arrays taken out of their enum once: matching the enum per cell would
        // retain and release the array every time.
        let numbers: [[Double]] = columns.map { if case .numbers(let v) = $0.values { v } else { [] } }
        let texts: [[String?]] = columns.map { if case .text(let v) = $0.values { v } else { [] } }
        let isText = columns.map { if case .text = $0.values { true } else { false } }
        writer.reserve(range.count * (16 + 12 * columns.count))
        for row in range {
            writer.field(ids[row])
            for k in columns.indices {
                if isText[k] {
                    if let value = texts[k][row] { writer.field(value) } else { writer.emptyField() }
                } else {
                    writer.field(numbers[k][row])
                }
            }
            writer.endRow()
        }
    }
}

extension CustomerAggregates {
    /// The finished table: customers with a line before `asOf` in id order, features as of `asOf`.
    public func features(idName: String, asOf: Int64, report given: OrderLogReport = OrderLogReport()) -> CustomerFeatures {
        var report = given
        report.asOf = asOf
        for (code, total) in categoryTotals.enumerated() { report.categoryTotals[categoryNames[code]] = total }
        let allIDs = ids
        let order = UTF8Order.sorted((0..<allIDs.count).filter { included[$0] }, by: allIDs)
        report.customers = order.count
        report.customersExcluded = allIDs.count - order.count  // seen only after the cutoff / as-of

        func days(_ span: Int64) -> Double { Double(span.floorDiv(86_400)) }
        func purchases(_ c: Int) -> Int { Int(frequency[c]) }
        func numbers(_ name: String, _ value: (Int) -> Double) -> CustomerFeatures.Column {
            .init(name: name, values: .numbers(order.map(value)))
        }
        let nan = Double.nan
        var columns: [CustomerFeatures.Column] = [
            numbers("recency_days") { c in monetary[c] > 0 ? days(asOf - lastPurchase[c]) : nan },
            numbers("frequency") { c in Double(purchases(c)) },
            numbers("monetary") { c in monetary[c] },
            numbers("avg_order_value") { c in purchases(c) > 0 ? monetary[c] / Double(purchases(c)) : nan },
            numbers("tenure_days") { c in monetary[c] > 0 ? days(asOf - firstPurchase[c]) : nan },
            numbers("mean_interpurchase_days") { c in
                purchases(c) >= 2 ? Double(lastPurchase[c] - firstPurchase[c]) / 86_400 / Double(purchases(c) - 1) : nan
            },
            numbers("returns_count") { c in Double(returnCount[c]) },
            numbers("returns_value") { c in returnsValue[c] },
            numbers("return_rate") { c in monetary[c] > 0 ? returnsValue[c] / monetary[c] : nan },
            numbers("active_days") { c in Double(purchaseDays[c]) },
            numbers("last_gap_days") { c in previousDay[c] == .min ? nan : Double(latestDay[c] - previousDay[c]) },
        ]
        columns.append(spendTrend(order: order, asOf: asOf))
        if let categoryOffsets {
            columns += categoryColumns(order: order, categoryOffsets: categoryOffsets)
        }
        if let boughtInHorizon {
            columns.append(numbers("purchased_in_horizon") { c in boughtInHorizon[c] ? 1 : 0 })
            columns.append(numbers("churned") { c in monetary[c] > 0 ? (boughtInHorizon[c] ? 0 : 1) : nan })
        }
        return CustomerFeatures(idName: idName, ids: order.map { allIDs[$0] }, columns: columns, report: report)
    }

    /// `spend_trend` = (R − P) / (R + P), R the purchase spend in the 90 days before the as-of
    /// day, P in the 90 days before those; blank when both are 0. +1: all recent, −1: all earlier.
    private func spendTrend(order: [Int], asOf: Int64) -> CustomerFeatures.Column {
        let asOfDay = Int((asOf - 1).floorDiv(86_400) + 1)  // the first day not included
        var recent = [Double](repeating: 0, count: ids.count)
        var prior = [Double](repeating: 0, count: ids.count)
        // Each customer's days in ascending order, so a customer's sums do not depend on which
        // other customers share the log (a partition of the log gives the same bits).
        for c in 0..<ids.count {
            for k in dayOffsets[c]..<dayOffsets[c + 1] {
                let day = Int(days[k])
                guard day >= asOfDay - 180, day < asOfDay else { continue }
                if day >= asOfDay - 90 { recent[c] += daySpends[k] } else { prior[c] += daySpends[k] }
            }
        }
        return .init(name: "spend_trend", values: .numbers(order.map { c in
            recent[c] + prior[c] > 0 ? (recent[c] - prior[c]) / (recent[c] + prior[c]) : .nan
        }))
    }

    /// `distinct_categories`, `top_category` and `share:<category>` for the categories with the
    /// most spend overall.
    private func categoryColumns(order: [Int], categoryOffsets: [Int]) -> [CustomerFeatures.Column] {
        let names = categoryNames
        // Rank of each category name in code point order, for ties.
        let byName = names.indices.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
        var nameRank = [Int](repeating: 0, count: names.count)
        for (rank, code) in byName.enumerated() { nameRank[code] = rank }
        let ranked = names.indices.sorted {
            categoryTotals[$0] != categoryTotals[$1] ? categoryTotals[$0] > categoryTotals[$1] : nameRank[$0] < nameRank[$1]
        }.prefix(shareCategories)
        // Given names keep their columns even when no line here has them (code -1: all zero).
        let shareNames = shareCategoryNames ?? ranked.map { names[$0] }
        var codeOf = [String: Int]()
        for (code, name) in names.enumerated() { codeOf[name] = code }
        let top = shareNames.map { codeOf[$0] ?? -1 }
        var shareSlot = [Int](repeating: -1, count: names.count)
        for (slot, code) in top.enumerated() where code >= 0 { shareSlot[code] = slot }

        let customers = ids.count
        var distinct = [Int32](repeating: 0, count: customers)
        var best = [Int32](repeating: -1, count: customers)
        var bestSpend = [Double](repeating: 0, count: customers)
        var shares = [Double](repeating: 0, count: customers * top.count)
        for c in 0..<customers {
            for k in categoryOffsets[c]..<categoryOffsets[c + 1] {
                let code = Int(categoryCodes[k]), spend = categorySpends[k]
                distinct[c] += 1
                let current = Int(best[c])
                if current < 0 || spend > bestSpend[c] || (spend == bestSpend[c] && nameRank[code] < nameRank[current]) {
                    best[c] = Int32(code)
                    bestSpend[c] = spend
                }
                let slot = shareSlot[code]
                if slot >= 0 { shares[c * top.count + slot] = spend }
            }
        }
        var columns: [CustomerFeatures.Column] = [
            .init(name: "distinct_categories", values: .numbers(order.map { Double(distinct[$0]) })),
            .init(name: "top_category", values: .text(order.map { best[$0] >= 0 ? names[Int(best[$0])] : nil })),
        ]
        for (slot, name) in shareNames.enumerated() {
            columns.append(.init(name: "share:" + name, values: .numbers(order.map { c in
                monetary[c] > 0 ? shares[c * top.count + slot] / monetary[c] : .nan
            })))
        }
        return columns
    }
}
