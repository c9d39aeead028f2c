import Foundation

/// A small RFC 4180 reader for checking outputs, independent of the product's reader.
struct CSVText {
    let header: [String]
    let rows: [[String]]

    init(_ text: String) {
        var records = [[String]]()
        var record = [String]()
        var field = ""
        var inQuotes = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r", chars.first == "\n" { chars.removeFirst() }
                record.append(field); field = ""
                records.append(record); record = []
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        header = records.first ?? []
        rows = Array(records.dropFirst())
    }

    init(path: String) throws {
        if path.hasSuffix(".gz") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/gzip")
            process.arguments = ["-dc", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            self.init(String(decoding: data, as: UTF8.self))
        } else {
            self.init(try String(contentsOfFile: path, encoding: .utf8))
        }
    }

    func column(_ name: String) -> [String] {
        guard let j = header.firstIndex(of: name) else { return [] }
        return rows.map { $0[j] }
    }

    /// A column as numbers; blank cells are NaN.
    func numbers(_ name: String) -> [Double] {
        column(name).map { $0.isEmpty ? .nan : Double($0) ?? .infinity }
    }
}

/// Equal within a relative tolerance, blanks (NaN) equal to blanks.
func close(_ a: [Double], _ b: [Double], relative: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in
        (x.isNaN && y.isNaN) || abs(x - y) <= relative * max(abs(y), 1e-300)
    }
}
