import NumericCore

extension FeatureEncoding {
    /// Encodes a table into a row-major `rows x featureNames.count` matrix.
    /// - Throws: `.unknownColumn` for a column the encoding needs and the table lacks,
    ///   `.notANumber` (file, line, column, value) when a numeric column holds text.
    /// - Complexity: O(rows · features).
    public func encode(_ table: CustomerTable) throws -> EncodedFeatures {
        let n = table.rowCount
        let width = featureNames.count
        var report = EncodingReport()
        var matrix = [Double](repeating: 0, count: n * width)
        var offset = 0
        for spec in columns {
            guard let j = table.index(of: spec.name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: "the model", name: spec.name,
                                                      available: table.columnNames)
            }
            let source = table.columns[j]
            switch (spec.kind, source) {
            case (.numeric, .numeric(let column)), (.boolean, .numeric(let column)):
                let fill = spec.fill ?? 0
                var filled = 0
                for i in 0..<n {
                    let v = column.values[i]
                    if v.isNaN { filled += 1 }
                    matrix[i * width + offset] = v.isNaN ? fill : v
                }
                if filled > 0 { report.imputations.append(.init(column: spec.name, count: filled, value: fill)) }
            case (.boolean, .text(let column)):
                let trueValues = Set(spec.trueValues ?? []), falseValues = Set(spec.falseValues ?? [])
                let map: [Double?] = column.levels.map { level in
                    let l = level.lowercased()
                    return trueValues.contains(l) ? 1 : (falseValues.contains(l) ? 0 : nil)
                }
                let fill = spec.fill ?? 0
                var filled = 0, unseen = 0
                for i in 0..<n {
                    let code = column.codes[i]
                    var value: Double? = nil
                    if code >= 0 {
                        value = map[Int(code)]
                        if value == nil { unseen += 1 }
                    } else {
                        filled += 1
                    }
                    matrix[i * width + offset] = value ?? fill
                }
                if filled + unseen > 0 { report.imputations.append(.init(column: spec.name, count: filled + unseen, value: fill)) }
                if unseen > 0 { report.unseenLevels[spec.name] = unseen }
            case (.categorical, .text(let column)):
                let levels = spec.levels ?? []
                var position = [String: Int]()
                for (p, level) in levels.enumerated() { position[level] = p }
                let map: [Int?] = column.levels.map { position[$0] }
                let known = Set(levels).union(spec.reference.map { [$0] } ?? [])
                let unseenCodes = Set(column.levels.indices.filter { !known.contains(column.levels[$0]) })
                var missing = 0, unseen = 0
                for i in 0..<n {
                    let code = column.codes[i]
                    if code < 0 { missing += 1; continue }
                    if let p = map[Int(code)] { matrix[i * width + offset + p] = 1 }
                    if unseenCodes.contains(Int(code)) { unseen += 1 }
                }
                if missing > 0 { report.missingCategories[spec.name] = missing }
                if unseen > 0 { report.unseenLevels[spec.name] = unseen }
            case (.categorical, .numeric(let column)):
                // New data whose levels happen to look numeric ("1", "2"): compare as text.
                let levels = spec.levels ?? []
                for i in 0..<n where !column.values[i].isNaN {
                    let text = FeatureEncoding.plainText(column.values[i])
                    if let p = levels.firstIndex(of: text) { matrix[i * width + offset + p] = 1 }
                }
            case (.numeric, .text(let column)):
                throw firstNonNumber(table, column: j, column)
            case (_, .identifier), (_, .skipped):
                throw CustomerDataError.unknownColumn(file: table.source, option: "the model", name: spec.name,
                                                      available: table.columnNames)
            }
            offset += spec.featureNames.count
        }
        return EncodedFeatures(matrix: matrix, rows: n, names: featureNames, report: report)
    }

    static func plainText(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private func firstNonNumber(_ table: CustomerTable, column j: Int, _ column: TextColumn) -> CustomerDataError {
        for (i, code) in column.codes.enumerated() where code >= 0 {
            let level = column.levels[Int(code)]
            let isNumber = level.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                guard let base = bytes.baseAddress else { return false }
                if case .number = NumberParser.parse(base, bytes.count) { return true }
                return false
            } ?? false
            if !isNumber {
                return .notANumber(file: table.source, line: table.line(ofRow: i), column: j + 1,
                                   name: table.columnNames[j], value: level)
            }
        }
        return .noValues(file: table.source, column: j + 1, name: table.columnNames[j])
    }
}
