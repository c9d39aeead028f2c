/// The header record at the start of a stream, as the CSV readers share it.
enum CSVHeader {
    /// The header's names as written, where the data starts in `block`, and the physical lines
    /// the header took. `block` grows until it holds the whole header record.
    /// - Throws: `.emptyFile` when there is no record at all, `.tooManyColumns` past
    ///   `limits.maxColumns`, `.binaryData` for a NUL byte in the header (one after it is left
    ///   to the data rows, which name its column).
    static func read(_ stream: RecordStream, block: inout RecordStream.Block, delimiter: UInt8,
                     limits: InputLimits) throws -> (names: [String], end: Int, lines: Int) {
        let name = stream.name
        let scanner = CSVScanner(file: name, delimiter: delimiter, header: ["(header)"], maxRecordBytes: limits.maxRecordBytes)
        while true {
            var sink = HeaderSink()
            let bytes = UnsafeBufferPointer(rebasing: block.bytes[..<(block.nul ?? block.bytes.count)])
            let outcome = try scanner.scan(bytes, firstLine: 1, rowLimit: 1, expectedFields: nil, final: block.final && block.nul == nil,
                                           fieldLimit: limits.maxColumns, into: &sink)
            // The header ends before the NUL byte only if a line end closes it first.
            let closed = outcome.rows == 1 && outcome.endOffset > 0
                && (block.bytes[outcome.endOffset - 1] == 0x0A || block.bytes[outcome.endOffset - 1] == 0x0D)
            if let nul = block.nul, !closed {
                throw BinaryData.error(at: nul, in: block.bytes, firstLine: 1, separator: .byte(delimiter),
                                       file: name, header: nil, blockStartsWithHeader: true)
            }
            if outcome.rows == 1 { return (sink.names, outcome.endOffset, outcome.lines) }
            guard !block.final, let longer = try stream.next(consumed: 0, line: 1) else {
                throw CustomerDataError.emptyFile(file: name)
            }
            block = longer
        }
    }
}
