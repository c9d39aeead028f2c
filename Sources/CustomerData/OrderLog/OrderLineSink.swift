/// Receives the fields of each order line from the scanner, keeps the ones that matter, reads
/// the date and amount, and appends the line to an `OrderLineBatch`.
///
/// Unquoted fields are pointers into the current block; quoted ones (which the scanner hands
/// over from its scratch buffer) are copied. Every field, wanted or not, goes into the line's
/// fingerprint, which finds exact duplicate lines.
struct OrderLineSink: FieldSink {
    enum Role: Int, CaseIterable {
        case customer, date, order, category, amount, price, quantity
    }

    let file: String
    let header: [String]
    /// The role of each column, or nil.
    private let roles: [Role?]
    private let roleColumns: [Int]
    private var pointers: [UnsafePointer<UInt8>?] = Array(repeating: nil, count: Role.allCases.count)
    private var lengths = [Int](repeating: 0, count: Role.allCases.count)
    private var numbers = [Double](repeating: .nan, count: Role.allCases.count)
    private var parsed = [Bool](repeating: false, count: Role.allCases.count)
    private let copies = FieldCopies(count: Role.allCases.count)
    private var fingerprint: UInt64 = 0
    /// The block being scanned: fields inside it need no copy.
    var block: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)
    var batch = OrderLineBatch()
    let dateFormat: TimestampFormat
    let skipBadRows: Bool
    let rejectNegativeAmounts: Bool
    /// The first problem met; scanning the rest of the block is then ignored.
    private(set) var failure: CustomerDataError?
    /// With an identities file: the customer column holds record ids of this source.
    let customerKeys: CustomerKeyMap?
    let keySource: Int
    let unmatched: OrderLogOptions.Unmatched
    private var scratch = [UInt8]()

    init(file: String, header: [String], columns: [Role: Int], options: OrderLogOptions) {
        self.file = file
        self.header = header
        var roles = [Role?](repeating: nil, count: header.count)
        for (role, column) in columns { roles[column] = role }
        self.roles = roles
        roleColumns = Role.allCases.map { columns[$0] ?? -1 }
        dateFormat = options.dateFormat
        skipBadRows = options.skipBadRows
        rejectNegativeAmounts = options.rejectNegativeAmounts
        customerKeys = options.customerKeys
        keySource = options.keySource
        unmatched = options.unmatched
    }

    func isNumeric(column: Int) -> Bool {
        guard let role = roles[column] else { return false }
        return role == .amount || role == .price || role == .quantity
    }

    mutating func add(column: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        if column == 0 { fingerprint = 0 }  // a record left unfinished at a block's end starts over
        fingerprint = BytesHash.hash(p, n, seed: fingerprint &+ UInt64(column))
        guard let role = roles[column] else { return }
        let r = role.rawValue
        parsed[r] = false
        if let base = block.baseAddress, p >= base, p < base + block.count {
            pointers[r] = p
        } else {
            pointers[r] = copies.store(p, n, slot: r)
        }
        lengths[r] = n
    }

    mutating func addNumber(column: Int, _ value: Double) {
        if column == 0 { fingerprint = 0 }
        var h = (fingerprint &+ UInt64(column)) ^ (8 &* 0x9E37_79B9_7F4A_7C15)
        h = (h ^ value.bitPattern) &* 0x0000_0100_0000_01B3
        h ^= h >> 29
        h = h &* 0xFF51_AFD7_ED55_8CCD
        fingerprint = h ^ (h >> 32)
        guard let role = roles[column] else { return }
        numbers[role.rawValue] = value
        parsed[role.rawValue] = true
    }

    mutating func endRow(line: Int) {
        defer { fingerprint = 0 }
        guard failure == nil else { return }
        do {
            try readLine(line)
        } catch {
            if skipBadRows {
                batch.badRows += 1
                if batch.firstBadRow == nil { batch.firstBadRow = error.description }
            } else {
                failure = error
            }
        }
    }

    private func text(_ role: Role) -> String {
        guard let p = pointers[role.rawValue] else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p, count: lengths[role.rawValue]), as: UTF8.self)
    }

    private func field(_ role: Role) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: pointers[role.rawValue], count: lengths[role.rawValue])
    }

    private func number(_ role: Role, line: Int) throws(CustomerDataError) -> Double {
        let r = role.rawValue
        let column = roleColumns[r]
        let value: Double
        let parsedValue: ParsedNumber = parsed[r] ? .number(numbers[r]) : pointers[r].map { NumberParser.parse($0, lengths[r]) } ?? .missing
        switch parsedValue {
        case .number(let number):
            value = number
        case .nonFinite:
            throw .nonFinite(file: file, line: line, column: column + 1, name: header[column], value: text(role))
        case .missing, .notANumber:
            throw .notANumber(file: file, line: line, column: column + 1, name: header[column], value: text(role))
        }
        if LargeValues.exceeds(value) {
            throw .tooLarge(file: file, line: line, column: column + 1, name: header[column], value: shown(role))
        }
        return value
    }

    /// A number as the file has it, or as parsed when the scanner parsed it (no text kept).
    private func shown(_ role: Role) -> String {
        parsed[role.rawValue] ? "\(numbers[role.rawValue])" : text(role)
    }

    private mutating func readLine(_ line: Int) throws(CustomerDataError) {
        let dateColumn = roleColumns[Role.date.rawValue]
        guard let p = pointers[Role.date.rawValue], let time = dateFormat.parse(p, lengths[Role.date.rawValue]) else {
            if let reason = dateFormat.offsetProblem(text(.date)) {
                throw .impossibleDate(file: file, line: line, column: dateColumn + 1, name: header[dateColumn], value: text(.date), reason: reason)
            }
            throw .notADate(file: file, line: line, column: dateColumn + 1, name: header[dateColumn],
                            value: text(.date), format: dateFormat.pattern)
        }
        var amount: Double
        var negativePrice = false
        if roleColumns[Role.amount.rawValue] >= 0 {
            amount = try number(.amount, line: line)
            if rejectNegativeAmounts, amount < 0 {
                let column = roleColumns[Role.amount.rawValue]
                throw .negativeAmount(file: file, line: line, column: column + 1, name: header[column], value: shown(.amount))
            }
        } else {
            let price = try number(.price, line: line), quantity = try number(.quantity, line: line)
            amount = price * quantity
            negativePrice = price < 0
            if LargeValues.exceeds(amount), !LargeValues.exceeds(price), !LargeValues.exceeds(quantity) {
                let (p, q) = (roleColumns[Role.price.rawValue], roleColumns[Role.quantity.rawValue])
                throw .amountTooLarge(file: file, line: line, priceColumn: p + 1, priceName: header[p], price: shown(.price),
                                      quantityColumn: q + 1, quantityName: header[q], quantity: shown(.quantity))
            }
        }
        if rejectNegativeAmounts, amount < 0, roleColumns[Role.amount.rawValue] < 0 {
            let column = roleColumns[Role.price.rawValue]
            throw .negativeAmount(file: file, line: line, column: column + 1, name: header[column], value: "\(shown(.price)) × \(shown(.quantity))")
        }
        if amount == 0 { amount = 0 }  // -0.0 from a zero price and a negative quantity
        let order = roleColumns[Role.order.rawValue] >= 0 ? field(.order) : nil
        let category = roleColumns[Role.category.rawValue] >= 0 ? field(.category) : nil
        guard let customerKeys else {
            batch.append(time: time, amount: amount, negativePrice: negativePrice, fingerprint: fingerprint,
                         customer: field(.customer), order: order, category: category)
            return
        }
        let read = OrderLine(time: time, amount: amount, negativePrice: negativePrice, fingerprint: fingerprint,
                             customer: field(.customer), order: order, category: category)
        guard !batch.appendMapped(read, keys: customerKeys, source: keySource, keep: unmatched == .keep, scratch: &scratch) else { return }
        if unmatched == .error {
            let column = roleColumns[Role.customer.rawValue]
            throw .unmatchedRecord(file: file, line: line, column: column + 1, name: header[column], value: text(.customer),
                                   source: customerKeys.sources[keySource], identities: customerKeys.file)
        }
        let place = batch.firstUnmatched == nil ? "\(file):\(line): \(quoted(text(.customer)))" : ""
        batch.countUnmatched(time: time, place: place, dropped: unmatched == .drop)
    }
}

/// One order line, its text fields pointing into the batch that holds it.
public struct OrderLine {
    /// Seconds since 1970-01-01 in the log's clock.
    public let time: Int64
    public let amount: Double
    /// With --price × --quantity: the price was negative (such lines are counted, not added).
    public let negativePrice: Bool
    /// A hash of every field of the line, for the duplicate-line check.
    public let fingerprint: UInt64
    /// The customer id as the file has it (surrounding blanks included).
    public let customer: UnsafeBufferPointer<UInt8>
    public let order: UnsafeBufferPointer<UInt8>?
    public let category: UnsafeBufferPointer<UInt8>?
}

/// The order lines read from one block, with their text fields copied out, so the block's
/// buffer can be refilled while these lines are being added up on another thread.
/// `@unchecked`: every stored property is an array of values (no pointers); the
/// `UnsafeBufferPointer`s of `forEach` exist only during the call.
public struct OrderLineBatch: @unchecked Sendable {
    private var times: [Int64] = []
    private var amounts: [Double] = []
    private var negativePrices: [Bool] = []
    private var fingerprints: [UInt64] = []
    /// Customer, order and category bytes of every line, back to back, after one unused byte
    /// (so that even empty fields have an address).
    private var text: [UInt8] = [0]
    /// Per line, where its customer, order and category end in `text` (nil fields are empty).
    private var ends: [Int] = [1]
    private var hasOrder = false, hasCategory = false
    public internal(set) var badRows = 0
    public internal(set) var firstBadRow: String?
    /// Lines whose record id is not in the identities file, the first one's place, and of
    /// those left out, the count and the earliest and latest time.
    var unmatched = 0
    var firstUnmatched: String?
    var dropped = 0
    var droppedTimes: ClosedRange<Int64>?

    public init() {}

    public var count: Int { times.count }

    public mutating func append(time: Int64, amount: Double, negativePrice: Bool, fingerprint: UInt64,
                         customer: UnsafeBufferPointer<UInt8>, order: UnsafeBufferPointer<UInt8>?,
                         category: UnsafeBufferPointer<UInt8>?) {
        times.append(time)
        amounts.append(amount)
        negativePrices.append(negativePrice)
        fingerprints.append(fingerprint)
        hasOrder = order != nil
        hasCategory = category != nil
        for field in [customer, order ?? UnsafeBufferPointer(start: nil, count: 0), category ?? UnsafeBufferPointer(start: nil, count: 0)] {
            text.append(contentsOf: field)
            ends.append(text.count)
        }
    }

    /// Calls `body` with line `i`.
    public func withLine<R>(at i: Int, _ body: (OrderLine) throws -> R) rethrows -> R {
        try text.withUnsafeBufferPointer { all in
            func slice(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: all[ends[3 * i + k]..<ends[3 * i + k + 1]])
            }
            return try body(OrderLine(time: times[i], amount: amounts[i], negativePrice: negativePrices[i],
                                      fingerprint: fingerprints[i], customer: slice(0),
                                      order: hasOrder ? slice(1) : nil, category: hasCategory ? slice(2) : nil))
        }
    }

    /// Calls `body` with each line in order.
    public func forEach(_ body: (OrderLine) throws -> Void) rethrows {
        try text.withUnsafeBufferPointer { all in
            for i in 0..<count {
                func slice(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                    let start = ends[3 * i + k], end = ends[3 * i + k + 1]
                    return UnsafeBufferPointer(rebasing: all[start..<end])
                }
                try body(OrderLine(time: times[i], amount: amounts[i], negativePrice: negativePrices[i],
                               fingerprint: fingerprints[i], customer: slice(0),
                               order: hasOrder ? slice(1) : nil, category: hasCategory ? slice(2) : nil))
            }
        }
    }
}

/// Owned copies of quoted fields, one growable buffer per role.
final class FieldCopies {
    private var buffers: [UnsafeMutablePointer<UInt8>]
    private var capacities: [Int]

    init(count: Int) {
        buffers = (0..<count).map { _ in .allocate(capacity: 64) }
        capacities = [Int](repeating: 64, count: count)
    }

    deinit { buffers.forEach { $0.deallocate() } }

    func store(_ p: UnsafePointer<UInt8>, _ n: Int, slot: Int) -> UnsafePointer<UInt8> {
        if capacities[slot] < n {
            buffers[slot].deallocate()
            capacities[slot] = max(n, 2 * capacities[slot])
            buffers[slot] = .allocate(capacity: capacities[slot])
        }
        buffers[slot].update(from: p, count: n)
        return UnsafePointer(buffers[slot])
    }
}
