/// Confirmation rules (`confirm: {phone: {name_similarity: 0.8}}`): records that share a value of
/// the key are joined only when their names agree, so a family's shared phone does not make the
/// family one customer.
///
/// For each key value that is not a hub, its carriers are walked in record order. A carrier with
/// a name joins the first earlier carrier whose name has a Jaro-Winkler similarity of at least
/// the rule's threshold; when there is none, the join is refused and counted (the value's first
/// carrier with a name starts the walk and is never refused). A carrier without a name has
/// nothing to contradict: it joins the value's first carrier with a name (or its first carrier,
/// when none has a name).
enum ConfirmedJoins {
    /// Joins the carriers of each value of strong key `k` into `sets` under `rule`, leaving out
    /// the values `isHub` marks.
    /// - Returns: the unions that joined two different groups, and the refused joins.
    /// - Complexity: O(n + Σ carriers × distinct names of the value) similarity computations.
    static func join(_ records: IdentityRecords, key k: Int, rule: ConfirmationRule, skipping isHub: [Bool],
                     into sets: inout UnionFind) -> (joined: Int, refused: Int) {
        let keys = records.keys[k]
        let nameCode = records.nameCode
        let valueCount = records.valueCount(k)
        // The carriers of each value, in record order (a counting sort).
        var start = Array(repeating: 0, count: valueCount + 1)
        for v in keys where v >= 0 { start[Int(v) + 1] += 1 }
        for v in 0..<valueCount { start[v + 1] += start[v] }
        var next = start
        var carriers = Array(repeating: 0, count: start[valueCount])
        for (r, v) in keys.enumerated() where v >= 0 {
            carriers[next[Int(v)]] = r
            next[Int(v)] += 1
        }
        var joined = 0, refused = 0
        /// The distinct names (by number) met so far for one value, with the first carrier of each.
        var names = [(code: Int32, scalars: [Unicode.Scalar], carrier: Int)]()
        for v in 0..<valueCount where !isHub[v] && start[v + 1] - start[v] > 1 {
            let group = carriers[start[v]..<start[v + 1]]
            let anchor = group.first { nameCode[$0] >= 0 } ?? group[group.startIndex]
            names.removeAll(keepingCapacity: true)
            for r in group {
                let name = nameCode[r]
                var partner: Int?
                if name < 0 {
                    partner = anchor
                } else if let same = names.first(where: { $0.code == name }) {
                    partner = same.carrier
                } else {
                    let scalars = Array(records.nameText(name).unicodeScalars)
                    partner = names.first { JaroWinkler.similarity($0.scalars, scalars) >= rule.nameSimilarity }?.carrier
                    if partner == nil, !names.isEmpty { refused += 1 }
                    names.append((name, scalars, r))
                }
                if let partner, partner != r, sets.union(partner, r) { joined += 1 }
            }
        }
        return (joined, refused)
    }
}
