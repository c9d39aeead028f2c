import NumericCore

extension FeatureEncoding {
    /// How one encoded column is filled, with everything looked up once.
    fileprivate enum Plan {
        /// Numbers (as the table stores them: doubles or floats); NaN takes `fill`.
        case number(values: NumericColumn.Storage, fill: Double)
        /// Codes mapped through a table to a value (booleans); −1 takes `fill` (so do levels
        /// the table does not know: their entry is `fill` already).
        case mapped(codes: [Int32], table: [Double], fill: Double)
        /// Codes to one-hot positions; −1 (reference, unseen, missing) stays all zero.
        case oneHot(codes: [Int32], position: [Int])
        /// Numeric-looking new data for a categorical column: matched by the text form.
        case oneHotNumbers(values: [Double], position: [String: Int])
    }

    /// Encodes a table into a row-major `rows x featureNames.count` matrix.
    /// - Throws: `.unknownColumn` for a column the encoding needs and the table lacks,
    ///   `.notANumber` (file, line, column, value) when a numeric column holds text.
    /// - Complexity: O(rows · features); 4,096-row chunks run on `threads` threads, each
    ///   filled in 256-row blocks so the rows being written stay in cache. `progress` hears
    ///   the rows done on the calling thread, after every few chunks.
    public func encode(_ table: CustomerTable, threads: Int = 1,
                       progress: (WorkProgress) -> Void = { _ in }) throws -> EncodedFeatures<Double> {
        try encode(table, as: Double.self, threads: threads, progress: progress)
    }

    /// `encode` into doubles or floats.
    func encode<Element: MatrixElement>(_ table: CustomerTable, as element: Element.Type, threads: Int = 1,
                                        progress: (WorkProgress) -> Void = { _ in }) throws -> EncodedFeatures<Element> {
        var plans = try plans(for: table)
        return encode(rows: table.rowCount, plans: &plans.plans, report: plans.report, releasing: false,
                      threads: threads, progress: progress)
    }

    /// `encode`, taking the columns it reads out of `table` (they become `.skipped`) and giving
    /// their memory back to the system as rows are encoded, so the cells and the matrix are
    /// never held in full together: the peak is about the matrix, not twice it. The table
    /// keeps its ids, line numbers and the columns not read.
    ///
    /// When another copy of the table still shares a column, that column is copied first
    /// (this is correct, only no memory is saved): pass the reader's table, moved in.
    /// - Parameter element: `Double.self`, or `Float.self` for a matrix of half the size (each
    ///   value rounded to the nearest float; ±∞ beyond the float range).
    public func encode<Element: MatrixElement>(releasing table: inout CustomerTable, as element: Element.Type, threads: Int = 1,
                                               progress: (WorkProgress) -> Void = { _ in }) throws -> EncodedFeatures<Element> {
        var plans = try plans(for: table)
        for spec in columns { if let j = table.index(of: spec.name) { table.columns[j] = .skipped } }
        for p in plans.plans.indices { plans.plans[p].plan.makeUnique() }
        return encode(rows: table.rowCount, plans: &plans.plans, report: plans.report, releasing: true,
                      threads: threads, progress: progress)
    }

    private func plans(for table: CustomerTable) throws -> (plans: [(plan: Plan, offset: Int)], report: EncodingReport) {
        var report = EncodingReport()
        var plans = [(plan: Plan, offset: Int)]()
        var offset = 0
        for spec in columns {
            plans.append((try plan(for: spec, table: table, report: &report), offset))
            offset += spec.featureNames.count
        }
        return (plans, report)
    }

    private func encode<Element: MatrixElement>(rows n: Int, plans: inout [(plan: Plan, offset: Int)], report: EncodingReport,
                                                releasing: Bool, threads: Int,
                                                progress: (WorkProgress) -> Void) -> EncodedFeatures<Element> {
        let width = featureNames.count
        let chunkRows = 4096
        let chunks = (n + chunkRows - 1) / chunkRows
        // Groups of chunks in turn (about 4 MB of the matrix each, 32 MB without releasing),
        // so progress is told from this thread between them and released cells lag little.
        let group = max(1, threads) * max(1, (releasing ? 1 << 19 : 1 << 22) / max(1, chunkRows * width))
        var released = [Int](repeating: 0, count: plans.count)
        let matrix = [Element](unsafeUninitializedCapacity: n * width) { buffer, count in
            PageRelease.preferHugePages(buffer)
            let out = OutputPointer(base: buffer.baseAddress)
            for first in stride(from: 0, to: chunks, by: group) {
                let fillers = plans
                _ = Parallel.map(count: min(group, chunks - first), threads: threads) { k in
                    guard let base = out.base else { return }
                    var start = (first + k) * chunkRows
                    let end = min(n, start + chunkRows)
                    while start < end {
                        let rows = start..<min(end, start + 256)
                        // Filled as doubles (for floats, in a block of scratch rounded afterwards).
                        Element.writeNarrowedBlocks(base, rows: rows, d: width) { rows, block in
                            block.initialize(repeating: 0, count: rows.count * width)
                            let origin = block - rows.lowerBound * width  // row i of the table at origin + i · width
                            for (plan, column) in fillers {
                                FeatureEncoding.fill(plan, rows: rows, into: origin + column, width: width)
                            }
                        }
                        start = rows.upperBound
                    }
                }
                let done = min(n, (first + group) * chunkRows)
                if releasing {
                    for p in plans.indices { plans[p].plan.release(rowsBelow: done, from: &released[p]) }
                }
                progress(WorkProgress(step: "encoding", done: done, total: n, unit: .rows))
            }
            count = n * width
        }
        return EncodedFeatures(matrix: matrix, rows: n, names: featureNames, report: report)
    }

    /// `intercept + Σ weights[f] · feature f` for every row, without building the encoded
    /// matrix: each column adds its contribution to a 4,096-row chunk of the result in turn.
    /// Same features as `encode` (the same plans), so a linear model scores a table at the
    /// speed of reading its columns once.
    public func linearPredictor(_ table: CustomerTable, weights: [Double], intercept: Double,
                                threads: Int = 1) throws -> (values: [Double], report: EncodingReport) {
        let n = table.rowCount
        guard weights.count == featureNames.count else {
            throw CustomerDataError.noFeatures(file: table.source, reason: "the model has \(weights.count) weights for \(featureNames.count) features")
        }
        var report = EncodingReport()
        var plans = [(plan: Plan, weights: [Double])]()
        var offset = 0
        for spec in columns {
            let width = spec.featureNames.count
            plans.append((try plan(for: spec, table: table, report: &report), Array(weights[offset..<(offset + width)])))
            offset += width
        }
        let contributions = plans
        let chunkRows = 4096
        let chunks = (n + chunkRows - 1) / chunkRows
        let values = [Double](unsafeUninitializedCapacity: n) { buffer, count in
            let out = OutputPointer(base: buffer.baseAddress)
            _ = Parallel.map(count: chunks, threads: threads) { chunk in
                guard let base = out.base else { return }
                let rows = (chunk * chunkRows)..<min(n, (chunk + 1) * chunkRows)
                (base + rows.lowerBound).initialize(repeating: intercept, count: rows.count)
                for (plan, w) in contributions { FeatureEncoding.add(plan, weights: w, rows: rows, into: base) }
            }
            count = n
        }
        return (values, report)
    }

    /// Adds one column's weighted contribution to `out[i]` for `rows`.
    private static func add(_ plan: Plan, weights: [Double], rows: Range<Int>, into out: UnsafeMutablePointer<Double>) {
        switch plan {
        case let .number(.double(values), fill):
            let w = weights[0]
            values.withUnsafeBufferPointer { v in
                for i in rows {
                    let x = v[i]
                    out[i] += w * (x.isNaN ? fill : x)
                }
            }
        case let .number(.float(values), fill):
            let w = weights[0]
            values.withUnsafeBufferPointer { v in
                for i in rows {
                    let x = Double(v[i])
                    out[i] += w * (x.isNaN ? fill : x)
                }
            }
        case let .mapped(codes, table, fill):
            let lookup = table.map { weights[0] * $0 }
            let missing = weights[0] * fill
            codes.withUnsafeBufferPointer { c in
                lookup.withUnsafeBufferPointer { t in
                    for i in rows {
                        let code = c[i]
                        out[i] += code < 0 ? missing : t[Int(code)]
                    }
                }
            }
        case let .oneHot(codes, position):
            let lookup = position.map { $0 >= 0 ? weights[$0] : 0 }
            codes.withUnsafeBufferPointer { c in
                lookup.withUnsafeBufferPointer { t in
                    for i in rows where c[i] >= 0 { out[i] += t[Int(c[i])] }
                }
            }
        case let .oneHotNumbers(values, position):
            for i in rows where !values[i].isNaN {
                if let p = position[FeatureEncoding.plainText(values[i])] { out[i] += weights[p] }
            }
        }
    }

    /// Writes one encoded column (or one-hot group starting there) for `rows`; row i's value
    /// goes to `out[i · width]`.
    private static func fill(_ plan: Plan, rows: Range<Int>, into out: UnsafeMutablePointer<Double>, width: Int) {
        switch plan {
        case let .number(.double(values), fill):
            values.withUnsafeBufferPointer { v in
                for i in rows {
                    let x = v[i]
                    out[i * width] = x.isNaN ? fill : x
                }
            }
        case let .number(.float(values), fill):
            values.withUnsafeBufferPointer { v in
                for i in rows {
                    let x = Double(v[i])
                    out[i * width] = x.isNaN ? fill : x
                }
            }
        case let .mapped(codes, table, fill):
            codes.withUnsafeBufferPointer { c in
                table.withUnsafeBufferPointer { t in
                    for i in rows {
                        let code = c[i]
                        out[i * width] = code < 0 ? fill : t[Int(code)]
                    }
                }
            }
        case let .oneHot(codes, position):
            codes.withUnsafeBufferPointer { c in
                position.withUnsafeBufferPointer { s in
                    for i in rows where c[i] >= 0 {
                        let p = s[Int(c[i])]
                        if p >= 0 { out[i * width + p] = 1 }
                    }
                }
            }
        case let .oneHotNumbers(values, position):
            for i in rows where !values[i].isNaN {
                if let p = position[FeatureEncoding.plainText(values[i])] { out[i * width + p] = 1 }
            }
        }
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
            return .number(values: column.storage, fill: fill)
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
            return .mapped(codes: column.codes, table: table.map { $0 ?? fill }, fill: fill)
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
            return .oneHot(codes: column.codes, position: column.levels.map { position[$0] ?? -1 })
        case (.categorical, .numeric(let column)):
            // Text in training, all numbers here: match by their text form, and count misses.
            let known = Set(spec.levels ?? []).union(spec.reference.map { [$0] } ?? [])
            let unseen = column.values.reduce(0) { $0 + (!$1.isNaN && !known.contains(FeatureEncoding.plainText($1)) ? 1 : 0) }
            if unseen > 0 { report.unseenLevels[spec.name] = unseen }
            if column.missingCount > 0 { report.missingCategories[spec.name] = column.missingCount }
            var position = [String: Int]()
            for (p, level) in (spec.levels ?? []).enumerated() where position[level] == nil { position[level] = p }
            return .oneHotNumbers(values: column.values, position: position)
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

extension FeatureEncoding.Plan {
    /// Makes this plan the only owner of the cells it reads (copying them if a table still
    /// shares them), so `release` cannot take memory from under anyone else.
    mutating func makeUnique() {
        switch consume self {
        case .number(.double(var values), let fill):
            values.withUnsafeMutableBufferPointer { _ in }
            self = .number(values: .double(values), fill: fill)
        case .number(.float(var values), let fill):
            values.withUnsafeMutableBufferPointer { _ in }
            self = .number(values: .float(values), fill: fill)
        case .mapped(var codes, let table, let fill):
            codes.withUnsafeMutableBufferPointer { _ in }
            self = .mapped(codes: codes, table: table, fill: fill)
        case .oneHot(var codes, let position):
            codes.withUnsafeMutableBufferPointer { _ in }
            self = .oneHot(codes: codes, position: position)
        case let .oneHotNumbers(values, position):
            self = .oneHotNumbers(values: values, position: position)
        }
    }

    /// Gives back to the system the pages of cells of rows below `rows` not given back yet
    /// (`from` is the byte offset reached so far). They are never read again; reading them
    /// would give zeros. Only on Linux, and only for cells the plan alone owns (`makeUnique`).
    func release(rowsBelow rows: Int, from released: inout Int) {
        switch self {
        case .number(.double(let values), _): values.withUnsafeBytes { PageRelease.release($0, below: rows * 8, from: &released) }
        case .number(.float(let values), _): values.withUnsafeBytes { PageRelease.release($0, below: rows * 4, from: &released) }
        case .mapped(let codes, _, _), .oneHot(let codes, _):
            codes.withUnsafeBytes { PageRelease.release($0, below: rows * 4, from: &released) }
        case .oneHotNumbers: break
        }
    }
}

/// The encoded matrix's storage, shared with the workers that fill disjoint row ranges of it.
private struct OutputPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>?
}
