/// Finds where a NUL byte sits — line, field, record — by walking a block from its start
/// (a record start) with the scanners' rules, so a `CustomerDataError.binaryData` names the
/// line and column an editor would show.
enum BinaryData {
    struct Place: Equatable {
        /// The physical line, counted from the block's first line.
        var line: Int
        /// 0-based field within its record.
        var field: Int
        /// 0-based record within the block (blank lines are not records).
        var record: Int
    }

    /// The place of the byte at `offset` in `bytes` (which start at a record start on line
    /// `firstLine`), with `separator` as `OrderLogOptions.Separator` reads it.
    static func place(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>, firstLine: Int,
                      separator: OrderLogOptions.Separator) -> Place {
        switch separator {
        case .byte(let delimiter): return csvPlace(of: offset, in: bytes, firstLine: firstLine, delimiter: delimiter)
        case .whitespace: return whitespacePlace(of: offset, in: bytes, firstLine: firstLine)
        }
    }

    /// The error for a NUL byte at `offset`: `header` names the columns of records after the
    /// header (nil when the block starts with the header record itself).
    static func error(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>, firstLine: Int,
                      separator: OrderLogOptions.Separator, file: String, header: [String]?,
                      blockStartsWithHeader: Bool) -> CustomerDataError {
        let place = place(of: offset, in: bytes, firstLine: firstLine, separator: separator)
        let inHeader = blockStartsWithHeader && place.record == 0
        let name = !inHeader && place.field < (header?.count ?? 0) ? header?[place.field] : nil
        return .binaryData(file: file, line: place.line, column: place.field + 1, name: name)
    }

    /// Where the line holding the byte at `offset` starts in `bytes` (just after the last line
    /// end before it): the records before that are whole, and are scanned for their errors
    /// before the NUL byte is reported, so errors come in file order whatever the block size.
    static func lineStart(before offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var i = offset
        while i > 0, bytes[i - 1] != 0x0A, bytes[i - 1] != 0x0D { i -= 1 }
        return i
    }

    private static func csvPlace(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>, firstLine: Int,
                                 delimiter: UInt8) -> Place {
        let quote: UInt8 = 0x22, newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D
        var place = Place(line: firstLine, field: 0, record: 0)
        var inQuotes = false, atFieldStart = true, inRecord = false
        var i = 0
        while i < offset {
            let b = bytes[i]
            i += 1
            if inQuotes {
                if b == quote {
                    if i < offset, bytes[i] == quote { i += 1 } else { inQuotes = false }
                } else if b == newline {
                    place.line += 1
                }
                continue
            }
            if b == newline || b == carriageReturn {
                if b == carriageReturn, i < offset, bytes[i] == newline { i += 1 }
                place.line += 1
                if inRecord { place.record += 1 }
                place.field = 0
                atFieldStart = true
                inRecord = false
                continue
            }
            inRecord = true
            if b == delimiter {
                place.field += 1
                atFieldStart = true
            } else {
                if b == quote, atFieldStart { inQuotes = true }
                atFieldStart = false
            }
        }
        return place
    }

    private static func whitespacePlace(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>, firstLine: Int) -> Place {
        var place = Place(line: firstLine, field: -1, record: 0)
        var inBlank = true
        for i in 0..<offset {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 {
                inBlank = true
            } else if b == 0x0A || b == 0x0D {
                if b == 0x0D, i + 1 < offset, bytes[i + 1] == 0x0A { continue }  // the \n ends it
                place.line += 1
                if place.field >= 0 { place.record += 1 }
                place.field = -1
                inBlank = true
            } else if inBlank {
                place.field += 1
                inBlank = false
            }
        }
        if inBlank { place.field += 1 }  // the NUL starts a field
        return place
    }
}
