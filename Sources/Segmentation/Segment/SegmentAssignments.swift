import CustomerData

/// Each customer's place in a segmentation, from `SegmentModel.fit` or `.apply`: indices into
/// the model's tiers and clusters, the lifecycle stage and the rule tags.
public struct SegmentAssignments: Sendable {
    /// Index into `SegmentModel.value.tiers`.
    public let valueTier: [Int]
    /// Index into `SegmentModel.behavior.tiers` (`BehaviorRule.Role`).
    public let behaviorTier: [Int]
    /// Index into `SegmentModel.preference.clusters`, when there are preference groups.
    public let preferenceGroup: [Int]?
    /// Index into `SegmentModel.persona.clusters` (numbered by size, largest first).
    public let personaCluster: [Int]
    /// nil when lifecycle is off or skipped.
    public let lifecycle: [String]?
    public let tags: [[String]]?

    public var count: Int { valueTier.count }

    /// Customers per index, for a list of indices in `0..<k`.
    public static func counts(_ labels: [Int], k: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: k)
        for label in labels where label >= 0 && label < k { counts[label] += 1 }
        return counts
    }
}

extension SegmentModel {
    /// SEGMENTS.csv: id, cluster (the persona's number, largest first), value_tier,
    /// behavior_tier, preference_group (with preference groups), lifecycle_stage (unless
    /// off), persona, and tags / the churn score where they apply. With `hashing`, ids are
    /// replaced by their keyed pseudonyms.
    public func segmentsCSV(_ a: SegmentAssignments, ids: IdentifierColumn?, hashing: KeyedHash? = nil,
                            churn: (name: String, values: [Double])? = nil) -> [UInt8] {
        var out = CSVWriter(reserve: a.count * 60)
        out.row([idColumn, "cluster", "value_tier", "behavior_tier"] + (preference == nil ? [] : ["preference_group"])
                + (a.lifecycle == nil ? [] : ["lifecycle_stage"]) + ["persona"] + (a.tags == nil ? [] : ["tags"])
                + (churn.map { [$0.name] } ?? []))
        ids.withBytesView { id in
            for i in 0..<a.count {
                if let hashing, let ids {
                    out.field(hashing.pseudonym(ids[i]))
                } else {
                    out.idField(id, row: i)
                }
                out.field(a.personaCluster[i])
                out.field(value.tiers[a.valueTier[i]].name)
                out.field(behavior.tiers[a.behaviorTier[i]].name)
                if let preference, let groups = a.preferenceGroup { out.field(preference.clusters[groups[i]].name) }
                if let lifecycle = a.lifecycle { out.field(lifecycle[i]) }
                out.field(persona.clusters[a.personaCluster[i]].name)
                if let tags = a.tags { out.field(tags[i].joined(separator: ";")) }
                if let churn { out.field(churn.values[i], significant: 12) }
                out.endRow()
            }
        }
        return out.finished()
    }
}
