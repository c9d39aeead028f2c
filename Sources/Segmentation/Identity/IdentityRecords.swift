import CustomerData
import Foundation

/// Every record of every source with its keys normalised: the input of matching. Key values
/// are interned per field (a value is stored once; records hold its number, -1 when absent).
public struct IdentityRecords: Sendable {
    public let config: IdentityConfig
    /// The source (index in `config.sources`) of each record, in source then file order.
    public internal(set) var source: [Int32] = []
    public internal(set) var recordID: [String] = []
    /// For each strong field (`IdentityField.strong` order), each record's value number or -1.
    public internal(set) var keys: [[Int32]] = [[], [], []]
    /// For each strong field, the normalised values by number.
    public internal(set) var values: [[String]] = [[], [], []]
    /// Normalised name and birthday per record ("" when blank or malformed).
    public internal(set) var name: [String] = []
    public internal(set) var birthday: [String] = []
    /// Per source: records read, and per field the malformed values with the first one's line.
    public internal(set) var recordsPerSource: [Int]
    public internal(set) var malformed: [[IdentityField: (count: Int, firstLine: Int)]]
    /// `updated` times per record (empty when no source names the column) and, by source, the
    /// values that are not dates: see IdentityRecords+Updated.swift.
    public internal(set) var updated: [Int64] = []
    public internal(set) var malformedUpdated: [Int: (count: Int, firstLine: Int)] = [:]

    public var count: Int { source.count }

    /// Reads every source of `config` and normalises its keys.
    /// - Throws: `IdentityError` for a missing file, a column the file does not have or a blank
    ///   record id; `CustomerDataError` for a file that is not CSV.
    /// - Complexity: O(total size of the sources).
    public static func read(_ config: IdentityConfig, limits: InputLimits = InputLimits()) throws -> IdentityRecords {
        var records = IdentityRecords(config: config, recordsPerSource: Array(repeating: 0, count: config.sources.count),
                                      malformed: Array(repeating: [:], count: config.sources.count))
        var interned: [[String: Int32]] = [[:], [:], [:]]
        for (s, source) in config.sources.enumerated() {
            guard FileManager.default.fileExists(atPath: source.path) else {
                throw IdentityError.missingFile(place: source.places["file"] ?? source.places["id"] ?? source.name, source: source.name, path: source.path)
            }
            let delimiter = try DelimiterSniffer.detect(path: source.path)
            let wanted = [source.id] + source.columns.values + (source.updated.map { [$0] } ?? [])
            let table = try CSVRecords.read(path: source.path, delimiter: delimiter, keeping: Set(wanted), limits: limits)
            func column(_ role: String, _ name: String) throws -> Int {
                guard let index = table.header.firstIndex(of: name) else {
                    throw IdentityError.unknownColumn(place: source.places[role] ?? source.name, source: source.name, file: table.file,
                                                      role: role, column: name, available: table.header)
                }
                return index
            }
            let idColumn = try column("id", source.id)
            let updatedColumn = try source.updated.map { try column("updated", $0) }
            var fieldColumns = [(IdentityField, Int)]()
            for field in IdentityField.allCases {
                if let name = source.columns[field] { fieldColumns.append((field, try column(field.rawValue, name))) }
            }
            for row in table.rows {
                let id = IdentityKeys.trimmed(row.fields[idColumn])
                guard !id.isEmpty else {
                    throw IdentityError.blankRecordID(source: source.name, file: table.file, line: row.line, column: idColumn + 1, name: source.id)
                }
                let r = records.source.count
                records.source.append(Int32(s))
                records.recordID.append(id)
                for k in 0..<3 { records.keys[k].append(-1) }
                records.name.append("")
                records.birthday.append("")
                records.noteUpdated(updatedColumn.map { row.fields[$0] }, source: s, line: row.line)
                for (field, index) in fieldColumns {
                    let text = row.fields[index]
                    guard !IdentityKeys.trimmed(text).isEmpty else { continue }
                    let value: String?
                    switch field {
                    case .phone: value = PhoneNumber.e164(text, country: source.country)
                    case .email: value = IdentityKeys.email(text)
                    case .memberID: value = IdentityKeys.memberID(text, leadingZeros: config.leadingZeros)
                    case .fullName: value = IdentityKeys.name(text)
                    case .birthday: value = IdentityKeys.birthday(text)
                    }
                    guard let value else {
                        let seen = records.malformed[s][field]
                        records.malformed[s][field] = ((seen?.count ?? 0) + 1, seen?.firstLine ?? row.line)
                        continue
                    }
                    switch field {
                    case .fullName: records.name[r] = value
                    case .birthday: records.birthday[r] = value
                    default:
                        let k = field == .phone ? 0 : field == .email ? 1 : 2
                        if let number = interned[k][value] {
                            records.keys[k][r] = number
                        } else {
                            let number = Int32(records.values[k].count)
                            interned[k][value] = number
                            records.values[k].append(value)
                            records.keys[k][r] = number
                        }
                    }
                }
            }
            records.recordsPerSource[s] = table.rows.count
        }
        return records
    }
}
