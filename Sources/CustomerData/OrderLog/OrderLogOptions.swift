/// How to turn an order log into customer features (`persona features`).
public struct OrderLogOptions: Sendable {
    /// Where a line's amount comes from.
    public enum Amount: Sendable, Equatable {
        /// A column holding the line's signed amount.
        case column(String)
        /// Unit price × quantity.
        case priceTimesQuantity(price: String, quantity: String)
    }

    /// How fields are separated.
    public enum Separator: Sendable, Equatable {
        /// One byte, with RFC 4180 quoting.
        case byte(UInt8)
        /// Runs of spaces or tabs, no quoting (fixed-width text exports such as CDNOW).
        case whitespace
    }

    public var customer: String
    public var date: String
    public var amount: Amount
    /// Order (invoice) column: frequency counts distinct orders; without it, distinct days.
    public var order: String?
    public var category: String?
    /// Features are computed as of this moment (seconds since 1970); nil: midnight after the
    /// latest date in the file. Lines at or after it are left out.
    public var asOf: Int64?
    /// With `horizonDays`: features from lines before the cutoff, labels from [cutoff, cutoff + horizon).
    public var cutoff: Int64?
    public var horizonDays: Int?
    public var dateFormat: TimestampFormat = .iso
    public var separator: Separator = .byte(UInt8(ascii: ","))
    /// Detect a one-byte separator from the first lines as they are read (for a pipe, which
    /// cannot be looked at first), instead of `separator`; `separatorDetected` hears it.
    public var detectSeparator = false
    public var separatorDetected: (@Sendable (UInt8) -> Void)?
    /// Count and skip lines whose date or amount cannot be read, instead of stopping.
    public var skipBadRows = false
    /// Stop at the first negative amount (purchase models: returns have no meaning there).
    public var rejectNegativeAmounts = false
    /// Drop exact duplicate lines (they are counted either way).
    public var dedupe = false
    /// Write ids such as `17850.0` as `17850` (and treat the two as one customer).
    public var normalizeIDs = false
    /// Categories that get a `share:` column, by total spend.
    public var shareCategories = 20
    /// Column count, record length and inflation limits.
    public var limits = InputLimits()
    /// The categories that get a `share:` column, in this order, instead of the top ones of
    /// this file: partitions of one file must all make the columns of the whole file.
    public var shareCategoryNames: [String]?
    /// Bytes read per block (tests make it tiny to put block boundaries everywhere).
    var blockSize = RecordStream.blockSize
    /// The customers of the records of several systems (an identities file): with it, each
    /// log's customer column holds record ids of its source (`OrderLogFile.source`), and each
    /// line counts for the customer key of its record. Orders are told apart by source too
    /// (one system's order 17 is not another's), and so are exact duplicate lines.
    public var customerKeys: CustomerKeyMap?
    /// What happens to a line whose record id is not in `customerKeys`.
    public var unmatched = Unmatched.error
    /// The source (in `customerKeys`) of the log being read.
    var keySource = -1

    /// A line whose record id is not in the identities file…
    public enum Unmatched: String, Sendable, CaseIterable {
        /// …stops the run, naming the file, line, column and id.
        case error
        /// …is counted and left out.
        case drop
        /// …counts for a customer of its own, keyed `source:record_id`.
        case keep
    }

    public init(customer: String, date: String, amount: Amount) {
        self.customer = customer
        self.date = date
        self.amount = amount
    }

    var horizonEnd: Int64? {
        guard let cutoff, let horizonDays else { return nil }
        return cutoff + Int64(horizonDays) * 86_400
    }
}

/// One of several order logs read as one (`OrderLogReader.features(logs:options:)`).
public struct OrderLogFile: Sendable {
    public var path: String
    /// The source its record ids belong to, by its name in `OrderLogOptions.customerKeys`.
    public var source: String?
    /// This log's separator, when it is not the options' one (detected from its first lines).
    public var separator: OrderLogOptions.Separator?
    /// When set, this log's separator is detected from its first lines as they are read (for a
    /// pipe, which cannot be looked at first) and handed to this.
    public var detectSeparator: (@Sendable (UInt8) -> Void)?

    public init(path: String, source: String? = nil, separator: OrderLogOptions.Separator? = nil) {
        self.path = path
        self.source = source
        self.separator = separator
    }
}

/// What happened to the lines of an order log, for the end-of-run summary.
public struct OrderLogReport: Sendable, Equatable {
    public var lines = 0
    public var withoutCustomer = 0
    public var purchaseLines = 0
    public var returnLines = 0
    public var zeroAmountLines = 0
    public var negativePriceLines = 0
    /// Exact repeats of an earlier line (among lines with a customer id).
    public var duplicateLines = 0
    public var badRowsSkipped = 0
    /// The first skipped bad row's message, so the user can see what kind of problem it was.
    public var firstBadRow: String?
    public var idsTrimmed = 0
    public var idsNormalized = 0
    /// Ids ending in `.0` when `--normalize-ids` was not given.
    public var idsWithDecimalZero = 0
    /// Lines at or after the as-of moment (or after the label horizon) that were left out.
    public var linesAfterWindow = 0
    /// Lines inside the label horizon.
    public var horizonLines = 0
    public var customers = 0
    /// Customers seen only after the cutoff (no row written).
    public var customersExcluded = 0
    public var firstDate: Int64?
    public var lastDate: Int64?
    public var asOf: Int64 = 0
    public var bytes = 0
    /// Purchase spend per category (with a category column), to choose the `share:` columns
    /// of a file read in partitions.
    public var categoryTotals: [String: Double] = [:]
    /// Lines whose record id is not in the identities file (left out or kept, as the options
    /// say), and the first one's place: `orders.csv:7: "U17"`.
    public var unmatchedLines = 0
    public var firstUnmatched: String?
    /// Each log's name, source and lines (counted as `lines` is).
    public var logs: [Log] = []

    public struct Log: Sendable, Equatable {
        public var name: String
        public var source: String?
        public var lines: Int
    }

    public init() {}
}
