/// Which customer each record of each source belongs to: an identities file
/// (`source,record_id,customer_key` per record, as `persona identity` writes it), held in byte
/// tables so that an order log's record ids are looked up without a `String` per line.
///
/// Record ids are per source: source A's record `17` and source B's record `17` are different
/// records. The source, the record id and the key are trimmed (`IdentifierText`) when read,
/// and so are the ids they are looked up with.
public struct CustomerKeyMap: Sendable {
    /// The file's name, for messages.
    public let file: String
    /// Source names, in order of first appearance in the file.
    public let sources: [String]
    /// Records (distinct source and record id pairs) per source.
    public let recordsPerSource: [Int]
    /// Per source, its record ids; and per record (by its code there), its customer key's code.
    private let recordIDs: [ByteInterner]
    private let keyOfRecord: [[Int32]]
    private let keys: ByteInterner

    /// Distinct customer keys.
    public var customerCount: Int { keys.count }

    /// Reads an identities file: a header with `source`, `record_id` and `customer_key` (other
    /// columns are ignored), comma-separated.
    /// - Throws: `CustomerDataError.identitiesColumnMissing` without one of those columns,
    ///   `.identitiesBlank` for a record without a source, record id or key,
    ///   `.identitiesConflict` for a record given two different keys, and what reading CSV
    ///   throws.
    /// - Complexity: O(size of the file); memory about 40 bytes per record plus the key text.
    public static func read(path: String, limits: InputLimits = InputLimits()) throws -> CustomerKeyMap {
        let (file, _, sink) = try CSVRecords.scan(path: path, delimiter: UInt8(ascii: ","), limits: limits,
                                                  failure: { $0.failure }) { file, header in
            var columns = [Int]()
            for name in KeyMapSink.columnNames {
                guard let j = header.firstIndex(of: name) else {
                    throw CustomerDataError.identitiesColumnMissing(file: file, name: name, available: header)
                }
                columns.append(j)
            }
            return KeyMapSink(file: file, header: header, columns: columns)
        }
        return CustomerKeyMap(file: file, sources: sink.sourceNames.values, recordsPerSource: sink.keyOfRecord.map(\.count),
                              recordIDs: sink.recordIDs, keyOfRecord: sink.keyOfRecord, keys: sink.keys)
    }

    /// The number of the source with this name, or nil when no record has it.
    public func source(named name: String) -> Int? { sources.firstIndex(of: name) }

    /// The code of the customer key of the record with this id (trimmed here) in `source`, or
    /// nil when the source has no such record.
    func keyCode(source: Int, trimmedID id: UnsafeBufferPointer<UInt8>) -> Int32? {
        recordIDs[source].code(of: id).map { keyOfRecord[source][Int($0)] }
    }

    /// Calls `body` with the bytes of the customer key numbered `code`.
    func withKey<R>(_ code: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { keys.withValue(code, body) }
}

/// Builds the tables of a `CustomerKeyMap` record by record.
private struct KeyMapSink: FieldSink {
    static let columnNames = ["source", "record_id", "customer_key"]

    let file: String
    let header: [String]
    /// The column of each of `columnNames`, and the slot of each column (-1: not wanted).
    let columns: [Int]
    private let slot: [Int]
    /// The current record's source, record id and key, as read.
    private var fields: [[UInt8]] = [[], [], []]
    var sourceNames = ByteInterner()
    var recordIDs: [ByteInterner] = []
    var keyOfRecord: [[Int32]] = []
    var keys = ByteInterner(expectedCount: 1 << 14)
    private(set) var failure: CustomerDataError?

    init(file: String, header: [String], columns: [Int]) {
        self.file = file
        self.header = header
        self.columns = columns
        var slot = [Int](repeating: -1, count: header.count)
        for (k, j) in columns.enumerated() { slot[j] = k }
        self.slot = slot
    }

    mutating func add(column: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        if column == 0 { for k in 0..<3 { fields[k].removeAll(keepingCapacity: true) } }  // a cut record starts over
        let k = slot[column]
        if k >= 0 { fields[k].append(contentsOf: UnsafeBufferPointer(start: p, count: n)) }
    }

    func isNumeric(column: Int) -> Bool { false }
    mutating func addNumber(column: Int, _ value: Double) {}

    mutating func endRow(line: Int) {
        guard failure == nil else { return }
        do { try addRecord(line: line) } catch { failure = error }
    }

    private mutating func addRecord(line: Int) throws(CustomerDataError) {
        // Each field trimmed, or the column of the first blank one.
        var codes = [Int32](repeating: -1, count: 3)
        for k in [0, 2] {
            let field = fields[k]
            codes[k] = field.withUnsafeBufferPointer { raw in
                IdentifierText.withTrimmed(raw) { bytes in
                    guard !bytes.isEmpty else { return -1 }
                    return k == 0 ? sourceNames.intern(bytes) : keys.intern(bytes)
                }
            }
            if codes[k] < 0 { throw blank(k, line: line) }
        }
        let s = Int(codes[0])
        if s == recordIDs.count {
            recordIDs.append(ByteInterner(expectedCount: 1 << 12))
            keyOfRecord.append([])
        }
        let key = codes[2]
        let id = fields[1]
        let record = id.withUnsafeBufferPointer { raw in
            IdentifierText.withTrimmed(raw) { bytes in bytes.isEmpty ? -1 : recordIDs[s].intern(bytes) }
        }
        guard record >= 0 else { throw blank(1, line: line) }
        if Int(record) == keyOfRecord[s].count {
            keyOfRecord[s].append(key)
        } else if keyOfRecord[s][Int(record)] != key {
            let j = columns[2]
            throw .identitiesConflict(file: file, line: line, column: j + 1, name: header[j], value: text(2),
                                      source: sourceNames.withValue(Int32(s)) { String(decoding: $0, as: UTF8.self) },
                                      recordID: recordIDs[s].withValue(record) { String(decoding: $0, as: UTF8.self) },
                                      firstKey: keys.withValue(keyOfRecord[s][Int(record)]) { String(decoding: $0, as: UTF8.self) })
        }
    }

    private func text(_ k: Int) -> String { String(decoding: fields[k], as: UTF8.self) }

    private func blank(_ k: Int, line: Int) -> CustomerDataError {
        let j = columns[k]
        return .identitiesBlank(file: file, line: line, column: j + 1, name: header[j])
    }
}
