@testable import CustomerData

/// The order-log reader (`OrderLogReader.features`, as `persona features` runs it): one input
/// is an order log, optionally after a first line of options:
///
///     #! format=%d/%m/%Y skip dedupe normalize semicolon whitespace as-of=2024-01-01
///
/// Roles are the columns named `customer`, `date`, `amount` (or `price` and `quantity`),
/// `order` and `category` when the header has them.
///
/// Properties:
/// - errors are `CustomerDataError`;
/// - streaming the file in blocks of a few dozen bytes (so block ends fall inside records,
///   quoted fields and `\r\n` pairs) gives the same features, report and errors as one block.
enum OrderLogTarget: FuzzTarget {
    static let name = "orderlog"
    static let maxLength = 4096

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        var file = input[...]
        var words = [String]()
        if input.starts(with: Array("#!".utf8)) {
            let end = input.firstIndex(of: 0x0A) ?? input.endIndex
            words = String(decoding: input[2..<end], as: UTF8.self).split(separator: " ").map(String.init)
            file = input[min(end + 1, input.endIndex)...]
        }
        let options = self.options(words, file: file)
        var small = options
        small.blockSize = 16 + Int(stableHash(input) % 48)
        try ScratchFile.with(Array(file), suffix: ".csv") { path throws(PropertyViolation) in
            let whole = try features(path, options)
            let inBlocks = try features(path, small)
            if case .success = whole { FuzzStats.accepted(name, "feature tables") }
            try require(same(whole, inBlocks),
                        "order log \(shown(file)): in blocks of \(small.blockSize) bytes gives \(describe(inBlocks)); in one block \(describe(whole))")
        }
    }

    static func options(_ words: [String], file: ArraySlice<UInt8>) -> OrderLogOptions {
        var separator = OrderLogOptions.Separator.byte(UInt8(ascii: ","))
        if words.contains("semicolon") { separator = .byte(UInt8(ascii: ";")) }
        if words.contains("whitespace") { separator = .whitespace }
        let header: [String]
        if case .byte(let delimiter) = separator {
            header = ReferenceCSV(file, delimiter: delimiter).records.first?.fields.map { String(decoding: $0, as: UTF8.self) } ?? []
        } else {
            header = (file.split(separator: 0x0A).first ?? [])
                .split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }).map { String(decoding: $0, as: UTF8.self) }
        }
        let amount: OrderLogOptions.Amount = !header.contains("amount") && header.contains("price") && header.contains("quantity")
            ? .priceTimesQuantity(price: "price", quantity: "quantity") : .column("amount")
        var options = OrderLogOptions(customer: "customer", date: "date", amount: amount)
        options.separator = separator
        options.order = header.contains("order") ? "order" : nil
        options.category = header.contains("category") ? "category" : nil
        options.skipBadRows = words.contains("skip")
        options.dedupe = words.contains("dedupe")
        options.normalizeIDs = words.contains("normalize")
        for word in words {
            if word.hasPrefix("format="), let format = try? TimestampFormat(pattern: String(word.dropFirst(7))) {
                options.dateFormat = format
            }
            if word.hasPrefix("as-of=") {
                let date = Array(word.dropFirst(6).utf8)
                options.asOf = withPointer(date) { TimestampFormat.iso.parse($0, date.count) }
            }
        }
        return options
    }

    static func features(_ path: String, _ options: OrderLogOptions) throws(PropertyViolation) -> Result<CustomerFeatures, CustomerDataError> {
        do {
            return .success(try OrderLogReader.features(path: path, options: options))
        } catch let error as CustomerDataError {
            return .failure(error)
        } catch {
            throw unexpected(error, from: "OrderLogReader.features")
        }
    }

    static func same(_ a: Result<CustomerFeatures, CustomerDataError>, _ b: Result<CustomerFeatures, CustomerDataError>) -> Bool {
        switch (a, b) {
        case let (.success(x), .success(y)):
            return x.idName == y.idName && x.ids == y.ids && x.report == y.report && x.columns.count == y.columns.count
                && zip(x.columns, y.columns).allSatisfy { p, q in
                    guard p.name == q.name else { return false }
                    switch (p.values, q.values) {
                    case let (.numbers(u), .numbers(v)): return sameDoubles(u, v)
                    case let (.text(u), .text(v)): return u == v
                    default: return false
                    }
                }
        case let (.failure(x), .failure(y)):
            return x == y
        default:
            return false
        }
    }

    static func describe(_ result: Result<CustomerFeatures, CustomerDataError>) -> String {
        switch result {
        case .failure(let error): return "the error \(error)"
        case .success(let features): return "\(features.ids.count) customers \(features.ids.prefix(10)), report \(features.report)"
        }
    }
}
