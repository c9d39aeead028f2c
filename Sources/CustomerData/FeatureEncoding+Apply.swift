import NumericCore

extension FeatureEncoding {
    /// How one encoded column is filled, with everything looked up once.
    private enum Plan {
        /// Numbers; NaN takes `fill`.
        case number(values: [Double], fill: Double)
        /// Codes mapped through a table to a value (booleans); nil entries and −1 take `fill`.
        case mapped(codes: [Int32], table: [Double?], fill: Double)
        /// Codes to one-hot positions; nil (reference, unseen) and −1 stay all zero.
        case oneHot(codes: [Int32], position: [Int?])
        /// Numeric-looking new data for a categorical column: compare the text form.
        case oneHotNumbers(values: [Double], levels: [String])
    }

    /// Encodes a table into a row-major `rows x featureNames.count` matrix.
    /// - Throws: `.unknownColumn` for a column the encoding needs and the table lacks,
    ///   `.notANumber` (file, line, column, value) when a numeric column holds text.
    /// - Complexity: O(rows · features); rows are filled in cache-sized blocks.
    public func encode(_ table: CustomerTable) throws -> EncodedFeatures {
        let n = table.rowCount
        let width = featureNames.count
        var report = EncodingReport()
        var plans = [(plan: Plan, offset: Int)]()
        var offset = 0
        for spec in columns {
            plans.append((try plan(for: spec, table: table, report: &report), offset))
            offset += spec.featureNames.count
        }
        var matrix = [Double](repeating: 0, count: n * width)
        let blockRows = 2048
        matrix.withUnsafeMutableBufferPointer { out in
            var start = 0
            while start < n {
                let rows = start..<min(n, start + blockRows)
                for (plan, column) in plans {
                    switch plan {
                    case let .number(values, fill):
                        for i in rows {
                            let v = values[i]
                            out[i * width + column] = v.isNaN ? fill : v
                        }
                    case let .mapped(codes, table, fill):
                        for i in rows {
                            let code = codes[i]
                            out[i * width + column] = code < 0 ? fill : (table[Int(code)] ?? fill)
                        }
                    case let .oneHot(codes, position):
                        for i in rows where codes[i] >= 0 {
                            if let p = position[Int(codes[i])] { out[i * width + column + p] = 1 }
                        }
                    case let .oneHotNumbers(values, levels):
                        for i in rows where !values[i].isNaN {
                            if let p = levels.firstIndex(of: FeatureEncoding.plainText(values[i])) {
                                out[i * width + column + p] = 1
                            }
                        }
                    }
                }
                start = rows.upperBound
            }
        }
        return EncodedFeatures(matrix: matrix, rows: n, names: featureNames, report: report)
    }

    /// Looks up the table column for one encoded column and counts what the summary reports.
    private func plan(for spec: Column, table: CustomerTable, report: inout EncodingReport) throws -> Plan {
        guard let j = table.index(of: spec.name) else {
            throw CustomerDataError.unknownColumn(file: table.source, option: "the model", name: spec.name,
                                                  available: table.columnNames)
        }
        let fill = spec.fill ?? 0
        switch (spec.kind, table.columns[j]) {
        case (.numeric, .numeric(let column)), (.boolean, .numeric(let column)):
            if column.missingCount > 0 {
                report.imputations.append(.init(column: spec.name, count: column.missingCount, value: fill))
            }
            return .number(values: column.values, fill: fill)
        case (.boolean, .text(let column)):
            let trueValues = Set(spec.trueValues ?? []), falseValues = Set(spec.falseValues ?? [])
            let table: [Double?] = column.levels.map { level in
                let l = level.lowercased()
                return trueValues.contains(l) ? 1 : (falseValues.contains(l) ? 0 : nil)
            }
            var filled = 0, unseen = 0
            for code in column.codes {
                if code < 0 { filled += 1 } else if table[Int(code)] == nil { unseen += 1 }
            }
            if filled + unseen > 0 { report.imputations.append(.init(column: spec.name, count: filled + unseen, value: fill)) }
            if unseen > 0 { report.unseenLevels[spec.name] = unseen }
            return .mapped(codes: column.codes, table: table, fill: fill)
        case (.categorical, .text(let column)):
            var position = [String: Int]()
            for (p, level) in (spec.levels ?? []).enumerated() { position[level] = p }
            let known = Set(spec.levels ?? []).union(spec.reference.map { [$0] } ?? [])
            var counts = [Int](repeating: 0, count: column.levels.count)
            var missing = 0
            for code in column.codes {
                if code < 0 { missing += 1 } else { counts[Int(code)] += 1 }
            }
            let unseen = column.levels.indices.filter { !known.contains(column.levels[$0]) }.reduce(0) { $0 + counts[$1] }
            if missing > 0 { report.missingCategories[spec.name] = missing }
            if unseen > 0 { report.unseenLevels[spec.name] = unseen }
            return .oneHot(codes: column.codes, position: column.levels.map { position[$0] })
        case (.categorical, .numeric(let column)):
            return .oneHotNumbers(values: column.values, levels: spec.levels ?? [])
        case (.numeric, .text(let column)):
            throw firstNonNumber(table, column: j, column)
        case (_, .identifier), (_, .skipped):
            throw CustomerDataError.unknownColumn(file: table.source, option: "the model", name: spec.name,
                                                  available: table.columnNames)
        }
    }

    static func plainText(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private func firstNonNumber(_ table: CustomerTable, column j: Int, _ column: TextColumn) -> CustomerDataError {
        for (i, code) in column.codes.enumerated() where code >= 0 {
            let level = column.levels[Int(code)]
            var bytes = Array(level.utf8)
            bytes.append(0)
            let isNumber = bytes.withUnsafeBufferPointer { buffer -> Bool in
                guard let base = buffer.baseAddress else { return false }
                if case .number = NumberParser.parse(base, buffer.count - 1) { return true }
                return false
            }
            if !isNumber {
                return .notANumber(file: table.source, line: table.line(ofRow: i), column: j + 1,
                                   name: table.columnNames[j], value: level)
            }
        }
        return .noValues(file: table.source, column: j + 1, name: table.columnNames[j])
    }
}
