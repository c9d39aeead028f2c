import CustomerData
import NumericCore
import Segmentation

/// A profile store: order lines ingested in batches, per-customer totals kept up to date
/// incrementally, and dated snapshots of each customer's tiers, tags, status and scores.
///
/// `SQLiteProfileStore` is the embedded implementation; a server database would implement the
/// same operations (the commands only use this protocol).
public protocol ProfileStore {
    /// Appends the order log at `path` as one batch, all or nothing.
    /// With `pseudonyms`, customer ids are stored as their keyed pseudonyms (every batch of a
    /// store must then use the same key).
    func ingest(path: String, options: OrderLogOptions, pseudonyms: KeyedHash?, progress: (WorkProgress) -> Void) throws -> IngestReport
    /// The batches ingested, oldest first.
    func batches() throws -> [BatchInfo]
    /// `persona features` on every batch ingested so far, as of `asOf` (default: midnight after
    /// the latest line).
    func features(asOf: Int64?, topCategories: Int?) throws -> StoreFeatures
    /// Applies the models and status rules to every customer as of `asOf` and keeps the result.
    func snapshot(_ request: SnapshotRequest) throws -> SnapshotReport
    /// Every customer's state in the snapshot as of `asOf`, in id order.
    func snapshot(asOf: Int64) throws -> [(customer: String, state: CustomerState)]
    /// A customer's tier, tag and status changes, snapshot by snapshot.
    func history(customer: String) throws -> [HistoryEvent]
    /// What changed between two snapshots.
    func changes(from: Int64, to: Int64) throws -> StoreChanges
}

/// What one ingest did.
public struct IngestReport: Sendable {
    public var batch = 0
    public var file = ""
    public var sha256 = ""
    public var lines = 0
    public var withoutCustomer = 0
    public var badRowsSkipped = 0
    /// Lines dated before the store's as-of when the batch arrived (midnight after its latest line).
    public var lateLines = 0
    public var earliestLate: Int64?
    public var newCustomers = 0
    public var touchedCustomers = 0
    public var customers = 0
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var storeLines = 0
    public var seconds: [(String, Double)] = []
    public init() {}
}

/// One ingested batch.
public struct BatchInfo: Sendable, Equatable {
    public var id: Int
    public var file: String
    public var sha256: String
    public var ingestedAt: String
    public var lines: Int
    public var storedLines: Int
    public var lateLines: Int
    public var firstTime: Int64
    public var lastTime: Int64
}

/// `store features`: the table, and whether it came from the kept totals (as of a moment after
/// every line) or from replaying the lines (an earlier as-of).
public struct StoreFeatures: Sendable {
    public let features: CustomerFeatures
    public let incremental: Bool
    public let batches: Int
    public let lines: Int
}

/// When a customer counts as active, inactive, churned or won back.
public struct StatusRules: Sendable, Equatable, Codable {
    /// More than this many days without a purchase: inactive.
    public var inactiveAfterDays = 90
    /// More than this many days without a purchase: churned.
    public var churnedAfterDays = 180

    public init(inactiveAfterDays: Int = 90, churnedAfterDays: Int = 180) throws(StoreError) {
        guard inactiveAfterDays >= 1 else { throw .badStatusRule(reason: "the inactive threshold must be at least 1 day; got \(inactiveAfterDays)") }
        guard churnedAfterDays > inactiveAfterDays else {
            throw .badStatusRule(reason: "the churned threshold (\(churnedAfterDays) days) must be longer than the inactive one (\(inactiveAfterDays) days)")
        }
        self.inactiveAfterDays = inactiveAfterDays
        self.churnedAfterDays = churnedAfterDays
    }

    public static let statuses = ["active", "inactive", "churned", "won_back"]

    /// The status as of a day, from the days since the last purchase and the gap before it:
    /// - `churned`: more than `churnedAfterDays` days since the last purchase;
    /// - `inactive`: more than `inactiveAfterDays`;
    /// - `won_back`: otherwise, when the last purchase came more than `churnedAfterDays` days
    ///   after the one before it (the first purchase after having churned; it lasts until the
    ///   next purchase, or until the customer goes quiet again);
    /// - `active`: otherwise. A customer without a purchase (only returns) is `inactive`.
    public func status(recencyDays: Double, lastGapDays: Double) -> String {
        guard !recencyDays.isNaN else { return "inactive" }
        if recencyDays > Double(churnedAfterDays) { return "churned" }
        if recencyDays > Double(inactiveAfterDays) { return "inactive" }
        if !lastGapDays.isNaN, lastGapDays > Double(churnedAfterDays) { return "won_back" }
        return "active"
    }
}

/// What `store snapshot` applies.
public struct SnapshotRequest: Sendable {
    public var asOf: Int64
    public var segmentModel: (path: String, model: SegmentModel)?
    public var tagRules: (path: String, rules: TagRules)?
    public var churnModel: (path: String, model: ChurnModelFile)?
    public var status: StatusRules
    public var replace = false
    public var threads = 1

    public init(asOf: Int64, status: StatusRules) {
        self.asOf = asOf
        self.status = status
    }
}

public struct SnapshotReport: Sendable {
    public var asOf: Int64 = 0
    public var customers = 0
    public var statusCounts: [String: Int] = [:]
    public var replaced = false
    public var incremental = false
    public init() {}
}

/// One customer's state in one snapshot.
public struct CustomerState: Sendable, Equatable {
    public var status: String
    public var valueTier: String?
    public var behaviorTier: String?
    public var persona: String?
    public var lifecycle: String?
    public var churnProbability: Double?
    /// Sorted, no duplicates.
    public var tags: [String]
}

/// A change seen in a customer's history: `field` went from `before` to `after` at `asOf`
/// (tags: `tag_added` / `tag_removed` with the tag in `after` / `before`).
public struct HistoryEvent: Sendable, Equatable {
    public var asOf: Int64
    public var field: String
    public var before: String
    public var after: String
}

/// `store changes`: per-customer changes and their counts.
public struct StoreChanges: Sendable {
    public struct Change: Sendable, Equatable {
        public var customer: String
        public var field: String
        public var before: String
        public var after: String
    }
    public var from: Int64
    public var to: Int64
    /// Customer, field, before, after; customers in id order.
    public var changes: [Change]
    /// (field, before, after) → customers, including unchanged pairs: the migration matrices.
    public var matrix: [(field: String, before: String, after: String, customers: Int)]
    public var onlyBefore = 0
    public var onlyAfter = 0
}
