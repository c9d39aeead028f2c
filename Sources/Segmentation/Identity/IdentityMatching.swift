/// Records grouped into customers: records that share a normalised phone, e-mail or member
/// id (or the same record id within one source) are one customer, by union-find (Tarjan 1975:
/// union by size with path halving, so near-linear time). A hub guard leaves out key values
/// that would join many unrelated people, such as a store's phone typed for walk-in buyers.
///
/// Hub rule: a key value is a hub when it is carried by more than `hubGuard` records whose
/// other strong keys differ (records with no other key count one each). Hubs are reported and
/// not used for matching; the records keep their other keys.
public struct IdentityMatching: Sendable {
    /// A key value left out by the hub guard.
    public struct Hub: Sendable, Equatable {
        public var field: IdentityField
        public var value: String
        /// Distinct identities (records with different other keys) carrying it.
        public var identities: Int
        public var records: Int
    }

    /// The customer (0-based, numbered by first appearance) of each record.
    public let customer: [Int32]
    public let customerCount: Int
    /// Unions that joined two different groups, by what joined them (`record_id` for a repeated id).
    public let merges: [String: Int]
    public let hubs: [Hub]
    /// Per strong key with a confirmation rule, the joins refused because the names disagreed
    /// (IdentityConfirmation.swift).
    public let unconfirmed: [IdentityField: Int]

    /// - Complexity: O(n α(n)) for n records; the hub guard looks closer only at values
    ///   carried by more records than the guard allows.
    public init(_ records: IdentityRecords) {
        let n = records.count
        let strong = IdentityField.strong
        let guardSize = records.config.hubGuard
        var hubs = [Hub]()
        var isHub = [[Bool]]()
        for k in 0..<3 {
            // Distinct identities (records with different other keys) only matter for values
            // carried by more than `guardSize` records: identities never exceed carriers.
            var carriers = [Int32](repeating: 0, count: records.valueCount(k))
            for v in records.keys[k] where v >= 0 { carriers[Int(v)] += 1 }
            var hub = [Bool](repeating: false, count: carriers.count)
            let crowded = carriers.indices.filter { Int(carriers[$0]) > guardSize }
            if !crowded.isEmpty {
                let (a, b) = ((k + 1) % 3, (k + 2) % 3)
                var slot = [Int32](repeating: -1, count: carriers.count)
                for (i, v) in crowded.enumerated() { slot[v] = Int32(i) }
                var seen = Array(repeating: Set<Signature>(), count: crowded.count)
                for r in 0..<n {
                    let v = records.keys[k][r]
                    guard v >= 0, slot[Int(v)] >= 0 else { continue }
                    let x = records.keys[a][r], y = records.keys[b][r]
                    seen[Int(slot[Int(v)])].insert(x < 0 && y < 0 ? Signature(a: -2, b: Int32(truncatingIfNeeded: r)) : Signature(a: x, b: y))
                }
                for (i, v) in crowded.enumerated() where seen[i].count > guardSize {
                    hub[v] = true
                    hubs.append(Hub(field: strong[k], value: records.value(k, Int32(v)), identities: seen[i].count, records: Int(carriers[v])))
                }
            }
            isHub.append(hub)
        }
        var sets = UnionFind(count: n)
        var merges = [String: Int]()
        var unconfirmed = [IdentityField: Int]()
        for k in 0..<3 {
            if let rule = records.config.confirm[strong[k]] {  // names must agree: IdentityConfirmation.swift
                let outcome = ConfirmedJoins.join(records, key: k, rule: rule, skipping: isHub[k], into: &sets)
                merges[strong[k].rawValue] = outcome.joined
                unconfirmed[strong[k]] = outcome.refused
                continue
            }
            var first = Array(repeating: Int32(-1), count: records.valueCount(k))
            var joined = 0
            for r in 0..<n {
                let v = Int(records.keys[k][r])
                guard v >= 0, !isHub[k][v] else { continue }
                if first[v] < 0 { first[v] = Int32(r) } else if sets.union(Int(first[v]), r) { joined += 1 }
            }
            merges[strong[k].rawValue] = joined
        }
        // The same record id twice in one source: one record.
        var joined = 0
        var r = 0
        for s in records.config.sources.indices {
            var first = [Int32](repeating: -1, count: records.recordIDCount(source: s))
            while r < n, records.source[r] == Int32(s) {
                let id = Int(records.recordCode[r])
                if first[id] < 0 { first[id] = Int32(r) } else if sets.union(Int(first[id]), r) { joined += 1 }
                r += 1
            }
        }
        merges["record_id"] = joined
        var number = Array(repeating: Int32(-1), count: n)
        var customer = [Int32](repeating: 0, count: n)
        var count: Int32 = 0
        for r in 0..<n {
            let root = sets.find(r)
            if number[root] < 0 {
                number[root] = count
                count += 1
            }
            customer[r] = number[root]
        }
        self.customer = customer
        customerCount = Int(count)
        self.merges = merges
        self.unconfirmed = unconfirmed
        self.hubs = hubs.sorted { ($0.identities, $1.field.rawValue, $1.value) > ($1.identities, $0.field.rawValue, $0.value) }
    }

    /// Record indices grouped by customer, in record order within each (a counting sort).
    public func members() -> (start: [Int], records: [Int32]) {
        var start = Array(repeating: 0, count: customerCount + 1)
        for c in customer { start[Int(c) + 1] += 1 }
        for c in 0..<customerCount { start[c + 1] += start[c] }
        var next = start
        var records = [Int32](repeating: 0, count: customer.count)
        for (r, c) in customer.enumerated() {
            records[next[Int(c)]] = Int32(r)
            next[Int(c)] += 1
        }
        return (start, records)
    }
}

/// The other two strong keys of a record carrying a crowded value.
private struct Signature: Hashable {
    var a: Int32
    var b: Int32
}

/// Disjoint sets over 0..<count: union by size, path halving.
struct UnionFind {
    private var parent: [Int32]
    private var size: [Int32]

    init(count: Int) {
        parent = (0..<Int32(count)).map { $0 }
        size = Array(repeating: 1, count: count)
    }

    mutating func find(_ x: Int) -> Int {
        var x = x
        while Int(parent[x]) != x {
            parent[x] = parent[Int(parent[x])]
            x = Int(parent[x])
        }
        return x
    }

    /// Joins the sets of `a` and `b`; false when they were one set already.
    mutating func union(_ a: Int, _ b: Int) -> Bool {
        var (ra, rb) = (find(a), find(b))
        guard ra != rb else { return false }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = Int32(ra)
        size[ra] += size[rb]
        return true
    }
}
