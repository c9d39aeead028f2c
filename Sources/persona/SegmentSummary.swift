import Foundation
import Segmentation

/// The text `persona segment` prints on stderr.
struct SegmentSummary {
    let run: SegmentRun
    let churn: [Double]?
    let migration: Migration?
    let compare: String?
    let followUp: FollowUp?
    var written: [String] = []
    var seconds: Double = 0
    var reportSeconds: Double?

    init(run: SegmentRun, churn: [Double]?, migration: Migration?, compare: String?, followUp: FollowUp?) {
        self.run = run
        self.churn = churn
        self.migration = migration
        self.compare = compare
        self.followUp = followUp
    }

    var text: String {
        let n = run.valueTier.count
        var lines = ["persona segment: \(run.source), \(Format.count(n)) customers" + (run.applied ? " (tiers of the saved model, not refitted)" : "")]
        for note in run.model.notes where !run.applied { lines.append("  note: \(note)") }
        lines += valueLines(n) + behaviorLines(n) + preferenceLines(n) + personaLines(n)
        if let lifecycle = run.lifecycle {
            var stages = [String: Int]()
            for stage in lifecycle { stages[stage, default: 0] += 1 }
            lines.append("  lifecycle: " + ["potential", "new", "won_back", "VIP", "growing", "mature", "declining"]
                .compactMap { s in stages[s].map { "\(s) \(Format.count($0))" } }.joined(separator: " · "))
        }
        if let tags = run.tags {
            var counts = [String: Int]()
            for row in tags { for tag in row { counts[tag, default: 0] += 1 } }
            let names = run.config.tags?.map(\.name) ?? []
            lines.append("  tags: " + names.map { "\($0) \(Format.count(counts[$0] ?? 0))" }.joined(separator: " · "))
        }
        if let churn {
            let means = run.behavior.tiers.indices.map { t -> String in
                let values = run.behaviorTier.indices.filter { run.behaviorTier[$0] == t }.map { churn[$0] }
                return "\(run.behavior.tiers[t].name) \(Format.decimal(values.reduce(0, +) / Double(max(1, values.count)), 3))"
            }
            lines.append("  churn probability, mean by behaviour tier: " + means.joined(separator: " · "))
        }
        lines += migrationLines() + followUpLines()
        lines.append("  wrote \(written.joined(separator: ", ")) in \(Format.seconds(seconds))"
                     + (reportSeconds.map { " (report and notebook: \(Format.seconds($0)))" } ?? ""))
        return lines.joined(separator: "\n")
    }

    private func row(_ name: String, _ count: Int, of n: Int, width: Int = 10) -> String {
        "    " + name.padding(toLength: width, withPad: " ", startingAt: 0) + Format.count(count).leftPadded(to: 9)
            + "  " + Format.percent(count, of: n).leftPadded(to: 6)
    }

    private func valueLines(_ n: Int) -> [String] {
        let value = run.value
        let counts = SegmentAssignments.counts(run.valueTier, k: value.tiers.count)
        var lines = ["  value tiers (k-means on \(value.columns.joined(separator: ", ")); means of each tier's customers):"]
        for (t, tier) in value.tiers.enumerated() {
            let centre = value.pipeline.features.map { "\($0) \(Format.decimal(tier.centroid[$0] ?? .nan, 1))" }.joined(separator: ", ")
            lines.append(row(tier.name, counts[t], of: n) + "  score \(Format.decimal(tier.score, 2))  [\(centre)]")
        }
        return lines
    }

    private func behaviorLines(_ n: Int) -> [String] {
        let behavior = run.behavior
        let counts = SegmentAssignments.counts(run.behaviorTier, k: behavior.tiers.count)
        let rule = behavior.rule
        var lines = [rule.pAlive.map { p in
            "  behaviour tiers (from \(p) and \(rule.frequency ?? "every buyer a regular"); churned below \(Format.decimal(rule.thresholds.pAliveChurnedBelow, 2)), at risk below \(Format.decimal(rule.thresholds.pAliveAtRiskBelow, 2))):"
        } ?? "  behaviour tiers (rule on \(behavior.columns.joined(separator: ", ")); typical gap \(Format.decimal(rule.typicalGap, 1)) days, the \(rule.typicalGapSource)):"]
        for (t, tier) in behavior.tiers.enumerated() {
            let means = behavior.columns.compactMap { c in tier.means[c].map { "\(c) \(Format.decimal($0, 1))" } }.joined(separator: ", ")
            lines.append(row(tier.name, counts[t], of: n) + "  [\(means)]  \(tier.definition)")
        }
        return lines
    }

    private func preferenceLines(_ n: Int) -> [String] {
        guard let preference = run.preference else { return [] }
        let counts = SegmentAssignments.counts(run.preferenceGroup ?? [], k: preference.clusters.count)
        return ["  preference groups (k-means on \(preference.columns.count) preference columns; named by the largest lift):"]
            + preference.clusters.enumerated().map { g, cluster in row(cluster.name, counts[g], of: n, width: 28) }
    }

    private func personaLines(_ n: Int) -> [String] {
        let persona = run.persona
        var lines = [String]()
        if let selection = persona.kSelection, let criterion = persona.criterion {
            lines.append("  personas (k-means on all roles; k = \(persona.clusters.count) by \(criterion.rawValue), chosen from this table):")
            lines.append("        k      inertia  silhouette  Calinski-H.  Davies-B.")
            for row in selection {
                let mark = row.k == persona.clusters.count ? " ←" : (row.anchor ? "  (anchor)" : "")
                lines.append("      " + String(row.k).leftPadded(to: 3) + Format.decimal(row.inertia, 2).leftPadded(to: 13)
                    + Format.optional(row.silhouette, 4).leftPadded(to: 12) + Format.optional(row.calinskiHarabasz, 1).leftPadded(to: 13)
                    + Format.optional(row.daviesBouldin, 4).leftPadded(to: 11) + mark)
            }
        } else {
            lines.append("  personas (k-means on all roles; k = \(persona.clusters.count)):")
        }
        let counts = SegmentAssignments.counts(run.personaCluster, k: persona.clusters.count)
        let nameWidth = persona.clusters.map(\.name.count).max() ?? 20
        for (c, cluster) in persona.clusters.enumerated() {
            lines.append("    \(c) " + cluster.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + Format.count(counts[c]).leftPadded(to: 9) + "  " + Format.percent(counts[c], of: n).leftPadded(to: 6)
                + "  traits: " + cluster.traits.joined(separator: ", "))
            if let attributes = cluster.attributes, !attributes.isEmpty {
                lines.append("        " + attributes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " · "))
            }
        }
        return lines
    }

    private func migrationLines() -> [String] {
        guard let migration else { return [] }
        var lines = ["  migration from \(compare ?? "") (\(Format.count(migration.matched)) customers in both; "
            + "\(Format.count(migration.onlyOld)) only before, \(Format.count(migration.onlyNew)) only now):"]
        for table in migration.tables {
            let width = max(10, (table.old + table.new).map(\.count).max() ?? 10) + 2
            lines.append("    \(table.column) (rows: before, columns: now)")
            lines.append("    " + "".padding(toLength: width + 4, withPad: " ", startingAt: 0) + table.new.map { $0.leftPadded(to: width) }.joined())
            for (r, name) in table.old.enumerated() {
                lines.append("    " + name.padding(toLength: width + 4, withPad: " ", startingAt: 0)
                    + table.counts[r].map { Format.count($0).leftPadded(to: width) }.joined())
            }
        }
        return lines
    }

    private func followUpLines() -> [String] {
        guard let f = followUp else { return [] }
        func line(_ rate: FollowUp.Rate) -> String {
            "    " + rate.tier.padding(toLength: 10, withPad: " ", startingAt: 0) + Format.count(rate.customers).leftPadded(to: 9)
                + Format.count(rate.bought).leftPadded(to: 10) + (Format.decimal(rate.rate * 100, 1) + " %").leftPadded(to: 10)
        }
        let header = "    " + "tier".padding(toLength: 10, withPad: " ", startingAt: 0) + "customers".leftPadded(to: 9)
            + "bought".leftPadded(to: 10) + "rate".leftPadded(to: 10)
        var lines = ["  follow-up from \(f.file) (\(f.mode)):", "   behaviour tiers", header] + f.behavior.map(line)
        lines += ["   value tiers", header] + f.value.map(line) + [line(f.overall)]
        let ordered = f.behavior.count == 4 && f.behavior[3].rate <= f.behavior.dropLast().map(\.rate).min() ?? 0
            && f.behavior[0].rate >= (f.behavior.dropFirst().map(\.rate).max() ?? 0) - 0.02
        lines.append(ordered ? "    churned has the lowest rate and active the highest: the tiers hold on this follow-up"
                             : "    warning: the tiers do not rank this follow-up as expected (churned lowest, active highest); check the cut date and the rule's thresholds")
        if f.unknownIDs > 0 { lines.append("    \(Format.count(f.unknownIDs)) ids in \(f.file) are not customers of this run (new customers; left out)") }
        return lines
    }
}
