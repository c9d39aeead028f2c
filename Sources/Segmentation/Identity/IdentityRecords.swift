import CustomerData
import Foundation
import NumericCore

/// Every record of every source with its keys normalised: the input of matching. Values are
/// held in byte tables, not as a `String` per record (10M records must fit in a few hundred
/// megabytes): record ids interned per source, e-mails, member ids and names interned per
/// field, phones as their E.164 digits, birthdays as yyyymmdd. Records hold value numbers
/// (-1 when absent).
public struct IdentityRecords: Sendable {
    public let config: IdentityConfig
    /// The source (index in `config.sources`) of each record, in source then file order.
    public internal(set) var source: [Int32] = []
    /// Each record's id, by its number among its source's distinct (trimmed) ids.
    public internal(set) var recordCode: [Int32] = []
    /// For each strong field (`IdentityField.strong` order), each record's value number or -1.
    public internal(set) var keys: [[Int32]] = [[], [], []]
    /// Normalised name per record (-1 when blank or malformed), and birthday as yyyymmdd (0).
    public internal(set) var nameCode: [Int32] = []
    public internal(set) var birthdayDate: [Int32] = []
    /// Per source: records read, and per field the malformed values with the first one's line.
    public internal(set) var recordsPerSource: [Int]
    public internal(set) var malformed: [[IdentityField: (count: Int, firstLine: Int)]]
    /// `updated` times per record (empty when no source names the column) and, by source, the
    /// values that are not dates: see IdentityRecords+Updated.swift.
    public internal(set) var updated: [Int64] = []
    public internal(set) var malformedUpdated: [Int: (count: Int, firstLine: Int)] = [:]

    /// Per source, its distinct record ids.
    private(set) var recordIDs: [ByteInterner] = []
    /// Phone values (E.164 digits after `+`), e-mails, member ids and names by number.
    private var phones = PhoneTable()
    private var emails = ByteInterner(expectedCount: 1 << 16)
    private var memberIDs = ByteInterner(expectedCount: 1 << 16)
    private var names = ByteInterner(expectedCount: 1 << 10)

    public var count: Int { source.count }

    /// Distinct values of strong field `k` (`IdentityField.strong` order).
    public func valueCount(_ k: Int) -> Int { k == 0 ? phones.count : k == 1 ? emails.count : memberIDs.count }

    /// Value `code` of strong field `k`: `+8613800138000`, `a@b.com`, `M00123`.
    public func value(_ k: Int, _ code: Int32) -> String {
        switch k {
        case 0: return "+" + String(phones.value(code))
        case 1: return emails.withValue(code) { String(decoding: $0, as: UTF8.self) }
        default: return memberIDs.withValue(code) { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Calls `body` with the bytes of `value(k, code)`.
    public func withValue<R>(_ k: Int, _ code: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        switch k {
        case 0:
            var text = value(0, code)
            return text.withUTF8 { body($0) }
        case 1: return emails.withValue(code, body)
        default: return memberIDs.withValue(code, body)
        }
    }

    /// Calls `body` with the bytes of name number `code` (not -1).
    public func withName<R>(_ code: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { names.withValue(code, body) }

    /// Record `r`'s id as its source has it (trimmed).
    public func recordID(_ r: Int) -> String {
        withRecordID(r) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the bytes of record `r`'s id.
    public func withRecordID<R>(_ r: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        recordIDs[Int(source[r])].withValue(recordCode[r], body)
    }

    /// Distinct record ids of source `s`.
    public func recordIDCount(source s: Int) -> Int { recordIDs[s].count }

    /// Name number `code` as text ("" for -1).
    public func nameText(_ code: Int32) -> String {
        code < 0 ? "" : names.withValue(code) { String(decoding: $0, as: UTF8.self) }
    }

    /// Reads every source of `config` and normalises its keys, on `threads` threads: sources
    /// are read and normalised side by side, then each field's values are numbered across the
    /// sources (in source and record order, so the numbers do not depend on the threads).
    /// - Throws: `IdentityError` for a missing file, a column the file does not have or a blank
    ///   record id; `CustomerDataError` for a file that is not CSV. With several problems, the
    ///   first source's.
    /// - Complexity: O(total size of the sources).
    public static func read(_ config: IdentityConfig, limits: InputLimits = InputLimits(),
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> IdentityRecords {
        // Workers take tasks in a fixed stride; the largest files go first, dealt out back and
        // forth (1 2 2 1 1 2 …), so that the workers' shares are about even.
        let sizes = config.sources.map { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int) ?? 0 }
        let bySize = sizes.indices.sorted { (sizes[$0], $1) > (sizes[$1], $0) }
        let workers = max(1, min(threads, sizes.count))
        var dealt = [Int](repeating: 0, count: sizes.count)  // the source of each task
        for (k, s) in bySize.enumerated() {
            let (round, seat) = (k / workers, k % workers)
            let seats = min(workers, sizes.count - round * workers)  // the last round may be short
            dealt[round * workers + (round % 2 == 0 ? seat : seats - 1 - seat)] = s
        }
        let task = dealt
        var results = [Result<SourceBatch, Error>?](repeating: nil, count: sizes.count)
        for (i, result) in Parallel.map(count: task.count, threads: threads, { i in
            try SourceBatch(config, source: task[i], limits: limits)
        }).enumerated() {
            results[task[i]] = result
        }
        // The first source's problem, as when they are read one after the other.
        let batches: [SourceBatch] = try results.compactMap { try $0?.get() }
        var records = IdentityRecords(config: config, recordsPerSource: batches.map(\.rows), malformed: batches.map(\.malformed))
        for (s, batch) in batches.enumerated() {
            records.source.append(contentsOf: repeatElement(Int32(s), count: batch.rows))
            records.recordCode += batch.recordCode
            records.recordIDs.append(batch.ids)
            records.birthdayDate += batch.birthdays ?? Array(repeating: 0, count: batch.rows)
            records.malformedUpdated[s] = batch.malformedUpdated
            if config.sources.contains(where: { $0.updated != nil }) {
                records.updated += batch.updated ?? Array(repeating: IdentityRecords.unknownTime, count: batch.rows)
            }
        }
        // Each field's values numbered by one thread, the fields side by side.
        let fields: [IdentityField] = [.phone, .email, .memberID, .fullName]
        let numbered = Parallel.map(count: fields.count, threads: threads) { f in
            NumberedField(fields[f], batches)
        }
        for (f, result) in numbered.enumerated() {
            guard case .success(let field) = result else { continue }  // numbering does not throw
            switch fields[f] {
            case .phone: (records.keys[0], records.phones) = (field.codes, field.phones)
            case .email: (records.keys[1], records.emails) = (field.codes, field.texts)
            case .memberID: (records.keys[2], records.memberIDs) = (field.codes, field.texts)
            default: (records.nameCode, records.names) = (field.codes, field.texts)
            }
        }
        return records
    }
}

/// One source read and its keys normalised, before values are numbered across sources.
private struct SourceBatch: Sendable {
    var rows = 0
    var ids = ByteInterner()
    var recordCode: [Int32] = []
    /// Phones as E.164 digits (0: none or malformed), nil when the source has no phone column.
    var phones: [UInt64]?
    /// Normalised e-mails, member ids and names (an empty field: none or malformed).
    var texts: [IdentityField: CSVFieldColumns.Column] = [:]
    var birthdays: [Int32]?
    var malformed: [IdentityField: (count: Int, firstLine: Int)] = [:]
    /// `updated` times (`IdentityRecords.unknownTime` when blank or not a date), nil without the column.
    var updated: [Int64]?
    var malformedUpdated: (count: Int, firstLine: Int)?

    init(_ config: IdentityConfig, source s: Int, limits: InputLimits) throws {
        let source = config.sources[s]
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw IdentityError.missingFile(place: source.places["file"] ?? source.places["id"] ?? source.name, source: source.name, path: source.path)
        }
        let fields = IdentityField.allCases.filter { source.columns[$0] != nil }
        let delimiter = try DelimiterSniffer.detect(path: source.path)
        let table = try CSVFieldColumns.read(path: source.path, delimiter: delimiter, limits: limits) { file, header in
            func column(_ role: String, _ name: String) throws -> Int {
                guard let index = header.firstIndex(of: name) else {
                    throw IdentityError.unknownColumn(place: source.places[role] ?? source.name, source: source.name, file: file,
                                                      role: role, column: name, available: header)
                }
                return index
            }
            return try [column("id", source.id)] + fields.map { try column($0.rawValue, source.columns[$0] ?? "") }
                + (source.updated.map { [try column("updated", $0)] } ?? [])
        }
        rows = table.rowCount
        var ids = ByteInterner(expectedCount: rows)
        recordCode.reserveCapacity(rows)
        for row in 0..<rows {
            let code = table.columns[0].withField(row) { raw in
                IdentifierText.withTrimmed(raw) { id in id.isEmpty ? -1 : ids.intern(id) }
            }
            guard code >= 0 else {
                let j = table.header.firstIndex(of: source.id) ?? 0
                throw IdentityError.blankRecordID(source: source.name, file: table.file, line: table.lines[row], column: j + 1, name: source.id)
            }
            recordCode.append(code)
        }
        self.ids = ids
        let home = PhoneNumber.callingCodes[source.country.uppercased()].flatMap { Int($0) } ?? 0
        for (c, field) in fields.enumerated() {
            let column = table.columns[c + 1]
            var bad = 0, firstBad = 0
            func count(_ outcome: IdentityKeys.Outcome, _ row: Int) {
                guard outcome == .malformed else { return }
                if bad == 0 { firstBad = table.lines[row] }
                bad += 1
            }
            switch field {
            case .phone:
                var numbers = [UInt64](repeating: 0, count: rows)
                for row in 0..<rows {
                    column.withField(row) { raw in
                        if let number = PhoneNumber.number(raw, home: home) {
                            numbers[row] = number
                        } else {
                            count(IdentifierText.withTrimmed(raw) { $0.isEmpty } ? .blank : .malformed, row)
                        }
                    }
                }
                phones = numbers
            case .birthday:
                var dates = [Int32](repeating: 0, count: rows)
                var scratch = [UInt8]()
                for row in 0..<rows {
                    var date: Int32 = 0
                    count(column.withField(row) { IdentityKeys.normalise(field, $0, leadingZeros: config.leadingZeros, into: &scratch, date: &date) }, row)
                    dates[row] = date
                }
                birthdays = dates
            case .email, .memberID, .fullName:
                var out = CSVFieldColumns.Column(reserving: column.bytes.count, rows: rows)
                var scratch = [UInt8]()
                scratch.reserveCapacity(64)
                for row in 0..<rows {
                    var date: Int32 = 0
                    let outcome = column.withField(row) { IdentityKeys.normalise(field, $0, leadingZeros: config.leadingZeros, into: &scratch, date: &date) }
                    count(outcome, row)
                    if outcome == .value { out.append(scratch) } else { out.append([]) }
                }
                texts[field] = out
            }
            if bad > 0 { malformed[field] = (bad, firstBad) }
        }
        if source.updated != nil, let column = table.columns.last {
            var times = [Int64](repeating: IdentityRecords.unknownTime, count: rows)
            var bad = 0, firstBad = 0
            for row in 0..<rows {
                let text = column.withField(row) { String(decoding: $0, as: UTF8.self) }
                guard !IdentityKeys.trimmed(text).isEmpty else { continue }
                if let time = IdentityRecords.time(text) {
                    times[row] = time
                } else {
                    if bad == 0 { firstBad = table.lines[row] }
                    bad += 1
                }
            }
            updated = times
            if bad > 0 { malformedUpdated = (bad, firstBad) }
        }
    }
}

/// One field's values numbered across all sources' records, in order.
private struct NumberedField: Sendable {
    /// Each record's value number (-1: none).
    var codes: [Int32] = []
    var phones = PhoneTable()
    var texts = ByteInterner(expectedCount: 1 << 16)

    init(_ field: IdentityField, _ batches: [SourceBatch]) {
        codes.reserveCapacity(batches.reduce(0) { $0 + $1.rows })
        for batch in batches {
            if field == .phone {
                guard let numbers = batch.phones else {
                    codes.append(contentsOf: repeatElement(-1, count: batch.rows))
                    continue
                }
                for number in numbers { codes.append(number == 0 ? -1 : phones.intern(number)) }
            } else {
                guard let column = batch.texts[field] else {
                    codes.append(contentsOf: repeatElement(-1, count: batch.rows))
                    continue
                }
                for row in 0..<batch.rows {
                    codes.append(column.withField(row) { $0.isEmpty ? -1 : texts.intern($0) })
                }
            }
        }
    }
}

/// Distinct phone numbers (E.164 digits as integers, never 0) numbered in order of first
/// appearance: open addressing over a power-of-two table.
struct PhoneTable: Sendable {
    private(set) var values: [UInt64] = []
    private var slots = [Int32](repeating: -1, count: 1 << 16)

    var count: Int { values.count }

    func value(_ code: Int32) -> UInt64 { values[Int(code)] }

    mutating func intern(_ number: UInt64) -> Int32 {
        var mask = slots.count - 1
        var slot = Self.hash(number) & mask
        while true {
            let code = slots[slot]
            if code < 0 { break }
            if values[Int(code)] == number { return code }
            slot = (slot + 1) & mask
        }
        let code = Int32(values.count)
        values.append(number)
        slots[slot] = code
        if values.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            mask = slots.count - 1
            for (c, v) in values.enumerated() {
                var s = Self.hash(v) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = Int32(c)
            }
        }
        return code
    }

    /// A 64-bit mix (splitmix64's finaliser), so nearby numbers land far apart.
    private static func hash(_ x: UInt64) -> Int {
        var z = x &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: z ^ (z >> 31))
    }
}
