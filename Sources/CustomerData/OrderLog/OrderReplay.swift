import NumericCore

/// Order lines added up one batch at a time, by the same rules as `persona features`: for a
/// store that keeps the lines and recomputes the customers a new batch touches. Lines must come
/// in the order they were first read (a customer's sums then have the same bits as in one pass).
public struct OrderReplay {
    private var accumulator: OrderAccumulator

    public init(options: OrderLogOptions) {
        accumulator = OrderAccumulator(options: options)
    }

    public mutating func add(_ batch: OrderLineBatch) { accumulator.add(batch) }

    /// From now on, record each purchase line's contribution to the category totals.
    public mutating func recordCategorySpend() { accumulator.categoryLog = [] }

    /// The (category, amount) of every purchase line added since `recordCategorySpend()`, in
    /// line order: what a running total over all customers adds. Categories are codes into
    /// `categoryNames`.
    public var categorySpendLog: [(code: Int32, amount: Double)] { accumulator.categoryLog ?? [] }
    public var categoryNames: [String] { accumulator.categories.values }

    public var report: OrderLogReport { accumulator.report }
    public func aggregates() -> CustomerAggregates { accumulator.aggregates() }
}

extension OrderLogReader {
    /// The customer id of a line as `persona features` keys it: surrounding blanks trimmed and,
    /// with `normalize`, a `.0…` suffix of a digits-only id dropped. Nil for a blank id.
    public static func customerKey(_ raw: UnsafeBufferPointer<UInt8>, normalize: Bool) -> String? {
        guard let (start, trimmedEnd) = OrderAccumulator.trimmed(raw) else { return nil }
        let end = normalize ? (OrderAccumulator.decimalZeroStart(start, trimmedEnd) ?? trimmedEnd) : trimmedEnd
        return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
    }

    /// Reads the order log at `path` and hands `consume` every batch of parsed lines in file
    /// order, with the file's name and its customer column's name first. The same parsing, checks
    /// and errors as `features(path:options:progress:)`; nothing is added up.
    /// - Returns: the bytes read.
    @discardableResult
    public static func lines(path: String, options: OrderLogOptions, progress: (WorkProgress) -> Void = { _ in },
                             consume: (OrderLineBatch) throws -> Void) throws -> (name: String, idName: String, bytes: Int) {
        var failure: Error?
        let result = try stream(path: path, options: options, progress: progress) { batch in
            guard failure == nil else { return }
            do { try consume(batch) } catch { failure = error }
        }
        if let failure { throw failure }
        return result
    }
}
