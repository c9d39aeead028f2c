import CustomerData
import NumericCore

/// One buy-till-you-die summary row per customer, as lifetimes'
/// `summary_data_from_transaction_data` (and `calibration_and_holdout_data` with a holdout).
public struct CustomerSummary: Sendable {
    /// The file it came from and the name of its id column.
    public let file: String
    public let idName: String
    /// Ids exactly as in the input.
    public let ids: [String]
    public let frequency: [Double]
    public let recency: [Double]
    public let T: [Double]
    /// Mean spend of the repeat periods (0 without repeats).
    public let monetary: [Double]
    /// Holdout purchases, with `calibrationEnd`.
    public let holdout: Holdout?
    /// Customers whose first purchase came after the calibration (or observation) end.
    public let customersAfterEnd: Int

    public struct Holdout: Sendable {
        /// Distinct purchase periods in the holdout.
        public let frequency: [Double]
        /// Mean spend of the holdout's order lines (0 without any).
        public let monetary: [Double]
        /// Periods from the calibration end to the observation end.
        public let duration: Double
    }

    public var count: Int { ids.count }

    public func repeatPurchases() throws -> RepeatPurchases {
        try RepeatPurchases(frequency: frequency, recency: recency, T: T)
    }
}

/// How to summarize an order log.
public struct SummaryOptions: Sendable {
    public var period: BTYDPeriod = .day
    /// Last calibration day, inclusive (days since 1970-01-01); later lines are the holdout.
    public var calibrationEnd: Int32?
    /// Last day observed, inclusive; default: the last day in the log.
    public var observationEnd: Int32?

    public init(period: BTYDPeriod = .day, calibrationEnd: Int32? = nil, observationEnd: Int32? = nil) {
        self.period = period
        self.calibrationEnd = calibrationEnd
        self.observationEnd = observationEnd
    }
}

extension CustomerSummary {
    /// Summarizes purchase days.
    ///
    /// Periods: a day, or the pandas week holding it. Calibration lines are those up to the
    /// calibration end (or, without one, those whose period is not after the observation
    /// end's); frequency counts the distinct periods with a purchase minus one, recency and T
    /// are periods from the first purchase to the last one and to the end, and the monetary
    /// value is the mean of the repeat periods' spend. The holdout counts distinct periods
    /// after the calibration end up to the observation end, and the mean spend of their lines.
    /// - Throws: `SegmentationError.noPurchases` when no customer bought by the end, or when
    ///   a calibration end leaves no line after it.
    public static func summarize(_ log: PurchaseDays, options: SummaryOptions) throws -> CustomerSummary {
        let period = options.period
        let observationEnd = options.observationEnd ?? log.lastDay
        let calibrationEnd = options.calibrationEnd ?? observationEnd
        let endPeriod = period.index(ofDay: calibrationEnd)
        let inCalibration: (Int32) -> Bool = options.calibrationEnd == nil
            ? { period.index(ofDay: $0) <= endPeriod } : { $0 <= calibrationEnd }
        var ids = [String](), frequency = [Double](), recency = [Double](), T = [Double](), monetary = [Double]()
        var holdoutFrequency = [Double](), holdoutMonetary = [Double]()
        var holdoutLines = 0, after = 0
        for c in 0..<log.customerCount {
            let range = log.offsets[c]..<log.offsets[c + 1]
            var periods = 0, first = Int64.min, last = Int64.min
            var firstSpend = 0.0, total = 0.0
            var hPeriods = 0, hLast = Int64.min, hSpend = 0.0, hLines = 0
            for k in range {
                let day = log.days[k]
                let p = period.index(ofDay: day)
                if inCalibration(day) {
                    if p != last {
                        periods += 1
                        if first == Int64.min { first = p }
                        last = p
                    }
                    total += log.spend[k]
                    if p == first { firstSpend += log.spend[k] }
                } else if day <= observationEnd {
                    if p != hLast {
                        hPeriods += 1
                        hLast = p
                    }
                    hSpend += log.spend[k]
                    hLines += Int(log.lineCounts[k])
                }
            }
            guard periods > 0 else {
                after += 1
                continue
            }
            ids.append(log.ids[c])
            frequency.append(Double(periods - 1))
            recency.append(Double(last - first))
            T.append(Double(endPeriod - first))
            monetary.append(periods > 1 ? (total - firstSpend) / Double(periods - 1) : 0)
            holdoutFrequency.append(Double(hPeriods))
            holdoutMonetary.append(hLines > 0 ? hSpend / Double(hLines) : 0)
            holdoutLines += hLines
        }
        guard !ids.isEmpty else {
            throw SegmentationError.noPurchases(file: log.file, problem: "no customer bought on or before the end of the calibration period")
        }
        var holdout: Holdout?
        if options.calibrationEnd != nil {
            guard holdoutLines > 0 else {
                throw SegmentationError.noPurchases(file: log.file, problem: "no purchase of a calibration customer after the calibration end and on or before the observation end: the holdout is empty")
            }
            holdout = Holdout(frequency: holdoutFrequency, monetary: holdoutMonetary,
                              duration: Double(period.index(ofDay: observationEnd) - endPeriod))
        }
        return CustomerSummary(file: log.file, idName: log.idName, ids: ids, frequency: frequency, recency: recency,
                               T: T, monetary: monetary, holdout: holdout, customersAfterEnd: after)
    }
}
