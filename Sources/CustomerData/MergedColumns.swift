/// The parts of a parallel scan joined in file order into table columns.
struct MergedColumns {
    var columns: [CustomerTable.Column]
    var rowLines: [Int32]
    /// Per column (by header index): the earliest problem cell over all parts.
    var firstNotANumber: [Int: CellProblem] = [:]
    var firstNonFinite: [Int: CellProblem] = [:]
    var firstEmptyID: Int?

    init(parts: [ColumnBuilders], kinds: [ColumnKind]) {
        rowLines = parts.count == 1 ? parts[0].rowLines : parts.flatMap(\.rowLines)
        firstEmptyID = parts.lazy.compactMap(\.firstEmptyID).first
        var columns = [CustomerTable.Column]()
        for (j, kind) in kinds.enumerated() {
            switch kind {
            case .skip:
                columns.append(.skipped)
            case .identifier:
                var bytes = [UInt8]()
                var offsets = [0]
                for part in parts {
                    let shift = bytes.count
                    bytes.append(contentsOf: part.idBytes)
                    offsets.append(contentsOf: part.idOffsets.dropFirst().map { $0 + shift })
                }
                columns.append(.identifier(IdentifierColumn(bytes: bytes, offsets: offsets)))
            case .numeric:
                let s = parts.first?.numericSlot(j) ?? 0
                var rowOffset = 0
                for part in parts {
                    if firstNotANumber[j] == nil, var p = part.firstNotANumber[s] {
                        p.row += rowOffset
                        firstNotANumber[j] = p
                    }
                    if firstNonFinite[j] == nil, var p = part.firstNonFinite[s] {
                        p.row += rowOffset
                        firstNonFinite[j] = p
                    }
                    rowOffset += part.rowLines.count
                }
                let total = parts.reduce(0) { $0 + $1.rows }
                let values = [Double](unsafeUninitializedCapacity: total) { buffer, count in
                    var offset = 0
                    for part in parts {
                        guard let base = buffer.baseAddress else { break }
                        part.storage.moveNumericColumn(s, rows: part.rows, to: base + offset)
                        offset += part.rows
                    }
                    count = offset
                }
                let missing = parts.reduce(0) { $0 + $1.missing[s] }
                columns.append(.numeric(NumericColumn(values: values, missingCount: missing)))
            case .text:
                let s = parts.first?.textSlot(j) ?? 0
                columns.append(.text(MergedColumns.mergeText(parts.map { ($0.codes(s), $0.interners[s]) })))
            }
        }
        self.columns = columns
    }

    /// Joins per-part dictionaries: the first part's codes stand, later parts are remapped.
    static func mergeText(_ parts: [([Int32], ByteInterner)]) -> TextColumn {
        guard var global = parts.first?.1, var codes = parts.first?.0 else {
            return TextColumn(codes: [], levels: [])
        }
        for (partCodes, interner) in parts.dropFirst() {
            var remap = [Int32]()
            interner.arena.withUnsafeBufferPointer { arena in
                for v in 0..<interner.count {
                    let start = interner.offsets[v], n = interner.offsets[v + 1] - start
                    if let base = arena.baseAddress {
                        remap.append(global.intern(base + start, n))
                    }
                }
            }
            codes.append(contentsOf: partCodes.map { $0 < 0 ? -1 : remap[Int($0)] })
        }
        return TextColumn(codes: codes, levels: global.values)
    }
}

extension ColumnBuilders {
    /// Part scans number lines from 0; this makes them absolute.
    mutating func shiftLines(by offset: Int) {
        let shift = Int32(truncatingIfNeeded: offset)
        for i in rowLines.indices { rowLines[i] += shift }
        for s in firstNotANumber.indices { firstNotANumber[s]?.line += offset }
        for s in firstNonFinite.indices { firstNonFinite[s]?.line += offset }
        if let line = firstEmptyID { firstEmptyID = line + offset }
    }
}
