@testable import CustomerData

/// The RFC 4180 record loop (`CSVScanner`) and the separator guess (`DelimiterSniffer`): one
/// input is a file's bytes.
///
/// Properties, for `,` and for the separator the sniffer picks:
/// - the scanner's records, fields and record lines equal `ReferenceCSV`'s, and it reports an
///   unclosed quote exactly where the reference meets one (line and column);
/// - with number columns, every field it hands over already parsed is one the general number
///   parser reads to the same value, and every other field is the reference's bytes;
/// - with a fixed field count, it stops at the reference's first record of another count;
/// - the sniffer answers one of its candidates, and on quote-free input the one its
///   documentation's rule picks (checked by `referenceSniff`).
enum CSVScannerTarget: FuzzTarget {
    static let name = "csv"
    static let maxLength = 4096
    static let header = ["a", "b", "c"]

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let sniffed = DelimiterSniffer.detect(bytes: input, complete: true)
        try require(DelimiterSniffer.candidates.contains(sniffed), "the sniffer picked \(sniffed), not a candidate")
        if ReferenceCSV.quoteFree(input) {
            for complete in [true, false] {
                let expected = referenceSniff(input, complete: complete)
                let got = DelimiterSniffer.detect(bytes: input, complete: complete)
                try require(got == expected, "the sniffer picked byte \(got) for \(shown(input)) (complete: \(complete)); its rule gives \(expected)")
            }
        }
        for delimiter in Set([UInt8(ascii: ","), sniffed]).sorted() {
            try checkScan(input[...], delimiter: delimiter)
        }
    }

    static func checkScan(_ input: ArraySlice<UInt8>, delimiter: UInt8) throws(PropertyViolation) {
        let reference = ReferenceCSV(input, delimiter: delimiter, firstLine: 1)
        let scanner = CSVScanner(file: "f.csv", delimiter: delimiter, header: header)
        let context = "scanning \(shown(input)) with delimiter \(shown([delimiter]))"

        // Every field as bytes.
        var plain = CollectingSink(numeric: false)
        let outcome = scan(scanner, input, expectedFields: nil, into: &plain)
        try compare(outcome, plain, reference, expectedFields: nil, context: context)
        if reference.unterminated == nil, !reference.records.isEmpty {
            FuzzStats.accepted(name, reference.records.contains { $0.quoted.contains(true) } ? "files with quotes" : "files")
        }

        // Number columns: the fused path may hand fields over parsed.
        var numeric = CollectingSink(numeric: true)
        _ = scan(scanner, input, expectedFields: nil, into: &numeric)
        try require(numeric.records.count == plain.records.count, "\(context): \(numeric.records.count) records with number columns, \(plain.records.count) without")
        for (got, want) in zip(numeric.records, plain.records) {
            try require(got.fields.count == want.fields.count, "\(context): line \(want.line) has \(got.fields.count) fields with number columns")
            for (cell, bytes) in zip(got.fields, want.bytes) {
                switch cell {
                case .bytes(let b):
                    try require(b == bytes, "\(context): line \(want.line): field \(shown(b)) with number columns, \(shown(bytes)) without")
                case .number(let v):
                    let general = withPointer(bytes) { NumberParser.parse($0, bytes.count) }
                    try require(NumberTarget.same(general, .number(v)),
                                "\(context): line \(want.line): field \(shown(bytes)) handed over as \(v), the parser reads \(general)")
                }
            }
        }

        // A fixed field count, as for data rows under a header.
        if let first = reference.records.first {
            var fixed = CollectingSink(numeric: false)
            let outcome = scan(scanner, input, expectedFields: first.fields.count, into: &fixed)
            try compare(outcome, fixed, reference, expectedFields: first.fields.count, context: context)
        }
    }

    private static func scan(_ scanner: CSVScanner, _ input: ArraySlice<UInt8>, expectedFields: Int?,
                             into sink: inout CollectingSink) -> Result<CSVScanner.Outcome, CustomerDataError> {
        input.withUnsafeBufferPointer { buffer in
            do {
                return .success(try scanner.scan(buffer, firstLine: 1, expectedFields: expectedFields, into: &sink))
            } catch let error as CustomerDataError {
                return .failure(error)
            } catch {
                return .failure(.unreadable(file: "f.csv", reason: "unexpected error type \(type(of: error)): \(error)"))
            }
        }
    }

    private static func compare(_ outcome: Result<CSVScanner.Outcome, CustomerDataError>, _ sink: CollectingSink,
                                _ reference: ReferenceCSV, expectedFields: Int?, context: String) throws(PropertyViolation) {
        // What the reference says should happen: all records, or a stop at the first problem.
        var records = reference.records
        var failure: CustomerDataError?
        if let expectedFields, let k = records.firstIndex(where: { $0.fields.count != expectedFields }) {
            failure = .raggedRow(file: "f.csv", line: records[k].line, expected: expectedFields, got: records[k].fields.count)
            records = Array(records[..<k])
        } else if let (line, field) = reference.unterminated {
            let column = min(field, header.count - 1)
            failure = .unterminatedQuote(file: "f.csv", line: line, column: column + 1, name: header[column])
        }
        switch outcome {
        case .success(let result):
            try require(failure == nil, "\(context): no error, the reference expects \(failure.map(String.init(describing:)) ?? "")")
            try require(result.rows == records.count, "\(context): \(result.rows) rows, the reference has \(records.count)")
        case .failure(let error):
            try require(error == failure, "\(context): \(error), the reference expects \(failure.map(String.init(describing:)) ?? "no error")")
        }
        try require(sink.records.count == records.count, "\(context): \(sink.records.count) records, the reference has \(records.count)")
        for (got, want) in zip(sink.records, records) {
            try require(got.line == want.line, "\(context): a record on line \(got.line), the reference's is on line \(want.line)")
            let fields = got.bytes
            try require(fields == want.fields, "\(context): line \(want.line) splits into \(fields.map(shown)), the reference into \(want.fields.map(shown))")
        }
    }

    /// The sniffer's documented rule, for quote-free input.
    static func referenceSniff(_ input: [UInt8], complete: Bool) -> UInt8 {
        let candidates = DelimiterSniffer.candidates
        var body = input[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        // Lines split at \n, \r\n and \r; blank ones dropped.
        var lines = [[UInt8]]()
        var current = [UInt8]()
        var ended = true
        var i = body.startIndex
        while i < body.endIndex {
            let b = body[i]
            if b == 0x0A || b == 0x0D {
                if !current.isEmpty { lines.append(current) }
                current = []
                ended = true
            } else {
                current.append(b)
                ended = false
            }
            i += 1
        }
        // A last line without a line end counts when the input is complete or it is all there is.
        if !ended, !current.isEmpty, complete || lines.isEmpty { lines.append(current) }
        let sample = lines.prefix(DelimiterSniffer.sampleRecords)
        guard let header = sample.first else { return candidates[0] }
        func fields(_ line: [UInt8], _ c: UInt8) -> Int { line.filter { $0 == c }.count + 1 }
        var best: (candidate: UInt8, fields: Int)?
        for c in candidates {
            let n = fields(header, c)
            if n > 1, sample.allSatisfy({ fields($0, c) == n }), n > (best?.fields ?? 0) { best = (c, n) }
        }
        if let best { return best.candidate }
        var widest: (candidate: UInt8, fields: Int) = (candidates[0], 1)
        for c in candidates where fields(header, c) > widest.fields { widest = (c, fields(header, c)) }
        return widest.candidate
    }
}

/// Collects what a scanner hands over, record by record.
struct CollectingSink: FieldSink {
    enum Cell { case bytes([UInt8]), number(Double) }
    struct Record {
        var line: Int
        var fields: [Cell]
        /// The fields as bytes (a parsed number as none).
        var bytes: [[UInt8]] { fields.map { if case .bytes(let b) = $0 { return b } else { return [] } } }
    }

    let numeric: Bool
    var records: [Record] = []
    var current: [Cell] = []

    init(numeric: Bool) { self.numeric = numeric }

    mutating func add(column: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        current.append(.bytes(Array(UnsafeBufferPointer(start: p, count: n))))
    }
    func isNumeric(column: Int) -> Bool { numeric }
    mutating func addNumber(column: Int, _ value: Double) { current.append(.number(value)) }
    mutating func endRow(line: Int) {
        records.append(Record(line: line, fields: current))
        current.removeAll()
    }
}
