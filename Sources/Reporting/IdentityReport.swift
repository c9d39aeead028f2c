import Segmentation

/// The report of `persona identity`: what each source brought, how records were joined into
/// customers and by which key, how big customers are and which sources they span, and what was
/// left out (hub keys, malformed values, joins the names did not confirm).
///
/// With pseudonymous keys it holds no phone, e-mail or member id: hub keys are masked and
/// birthday conflicts are counted, not listed.
public enum IdentityReport {
    /// Hub keys listed at most; the rest are counted.
    static let listedHubs = 50
    /// Birthday conflicts listed at most (as in the summary).
    static let listedConflicts = 10

    public static func document(_ resolution: IdentityResolution, profiles: IdentityProfiles, language: Language) -> ReportDocument {
        let t = Localizer(language)
        let records = resolution.records, matching = resolution.matching
        let stats = profiles.statistics()
        let several = stats.customersInSeveralSources
        let malformedTotal = malformedRows(records).reduce(0) { $0 + $1.count }
        let headline = [
            ReportDocument.Stat(t("records"), ReportFormat.count(records.count), key: "records", value: Double(records.count)),
            .init(t("customers"), ReportFormat.count(matching.customerCount), key: "customers", value: Double(matching.customerCount)),
            .init(t("records per customer"), ReportFormat.decimal(Double(records.count) / Double(max(1, matching.customerCount)), 2)),
            .init(t("customers in two or more sources"), ReportFormat.count(several), key: "customers_in_several_sources", value: Double(several)),
            .init(t("hub keys dropped"), ReportFormat.count(matching.hubs.count), key: "hub_keys", value: Double(matching.hubs.count)),
            .init(t("malformed values"), ReportFormat.count(malformedTotal), key: "malformed", value: Double(malformedTotal)),
        ]
        let sections = [sourcesSection(resolution, stats, t), mergesSection(resolution, t), sizesSection(stats, t),
                        overlapSection(resolution, stats, t), hubsSection(resolution, t), malformedSection(records, t),
                        confirmationSection(resolution, t), conflictsSection(resolution, profiles: profiles, t), settingsSection(resolution, t)]
        return ReportDocument(
            language: language, title: t("Identity resolution"),
            subtitle: t("persona identity · {0} records from {1} sources → {2} customers · {3}", ReportFormat.count(records.count),
                        String(records.config.sources.count), ReportFormat.count(matching.customerCount),
                        resolution.pseudonymous ? t("HMAC pseudonyms") : t("sequential keys")),
            headline: headline, sections: sections, setupCode: "")
    }

    static func sourcesSection(_ resolution: IdentityResolution, _ stats: IdentityStatistics, _ t: Localizer) -> ReportDocument.Section {
        let sources = resolution.records.config.sources
        let table = ReportDocument.Table(
            header: [t("source"), t("file"), t("records"), t("customers")],
            rows: sources.indices.map { s in
                [.init(sources[s].name), .init(sources[s].file),
                 count(resolution.records.recordsPerSource[s], key: "records.\(sources[s].name)"),
                 count(stats.customersPerSource[s], key: "customers.\(sources[s].name)")]
            })
        return .init(title: t("Sources"), intro: t("Records read from each source, and the customers with at least one record there."),
                     blocks: [.table(table)], code: nil)
    }

    static func mergesSection(_ resolution: IdentityResolution, _ t: Localizer) -> ReportDocument.Section {
        let merges = resolution.matching.merges
        let keys = IdentityField.strong.map(\.rawValue) + ["record_id"]
        let table = ReportDocument.Table(
            header: [t("key"), t("joins")],
            rows: keys.map { [.init($0), count(merges[$0] ?? 0, key: "merges.\($0)")] })
        return .init(title: t("Merges by key"),
                     intro: t("Each join put two groups of records together that no earlier key had joined (keys in the order listed; record_id is a record id repeated within one source). The records less all joins are the customers."),
                     blocks: [.table(table)], code: nil)
    }

    static func sizesSection(_ stats: IdentityStatistics, _ t: Localizer) -> ReportDocument.Section {
        let labels = (1..<IdentityStatistics.largestSize).map(String.init) + ["\(IdentityStatistics.largestSize)+"]
        let total = stats.customersBySize.reduce(0, +)
        let table = ReportDocument.Table(
            header: [t("records"), t("customers")],
            rows: labels.indices.map { [.init(labels[$0]), count(stats.customersBySize[$0], key: "customers_by_size.\(labels[$0])")] })
        return .init(title: t("Records per customer"),
                     intro: t("How many customers have one record, two, and so on. Large customers are worth a look: a key shared by a few people that stayed under the hub guard joins them."),
                     blocks: [ClusterReport.sizeBars(t("Customers by number of records"), names: labels, sizes: stats.customersBySize, of: total),
                              .table(table)], code: nil)
    }

    static func overlapSection(_ resolution: IdentityResolution, _ stats: IdentityStatistics, _ t: Localizer) -> ReportDocument.Section {
        let names = resolution.records.config.sources.map(\.name)
        let table = ReportDocument.Table(
            header: [t("source")] + names,
            rows: names.indices.map { a in
                [.init(names[a])] + names.indices.map { b in count(stats.overlap[a][b], key: "overlap.\(names[a]).\(names[b])") }
            })
        return .init(title: t("Source overlap"),
                     intro: t("Customers with records in both the row's and the column's source; the diagonal is the customers of each source."),
                     blocks: [.table(table)], code: nil)
    }

    static func hubsSection(_ resolution: IdentityResolution, _ t: Localizer) -> ReportDocument.Section {
        let hubs = resolution.matching.hubs
        let guardValue = String(resolution.records.config.hubGuard)
        guard !hubs.isEmpty else {
            return .init(title: t("Hub keys dropped"), intro: "",
                         blocks: [.text(t("None: no key value is shared by more than {0} different identities.", guardValue))], code: nil)
        }
        var blocks: [ReportDocument.Block] = [.table(ReportDocument.Table(
            header: [t("key"), t("value"), t("records"), t("identities")],
            rows: hubs.prefix(listedHubs).map { hub in
                [.init(hub.field.rawValue), .init(resolution.pseudonymous ? IdentityKeys.masked(hub.value) : hub.value),
                 .init(ReportFormat.count(hub.records), numeric: true), .init(ReportFormat.count(hub.identities), numeric: true)]
            }))]
        if hubs.count > listedHubs { blocks.append(.text(t("… and {0} more.", ReportFormat.count(hubs.count - listedHubs)))) }
        return .init(title: t("Hub keys dropped"),
                     intro: t("Key values shared by more than {0} different identities (records whose other keys differ), such as a store's phone typed for walk-in buyers: not used for matching; the records keep their other keys.{1}",
                              guardValue, resolution.pseudonymous ? " " + t("Values are masked: customer keys are pseudonymous.") : ""),
                     blocks: blocks, code: nil)
    }

    /// Malformed values by source, key fields first, then `updated`.
    static func malformedRows(_ records: IdentityRecords) -> [(source: Int, field: String, count: Int, firstLine: Int)] {
        var rows = [(source: Int, field: String, count: Int, firstLine: Int)]()
        for s in records.config.sources.indices {
            for field in IdentityField.allCases {
                if let bad = records.malformed[s][field] { rows.append((s, field.rawValue, bad.count, bad.firstLine)) }
            }
            if let bad = records.malformedUpdated[s] { rows.append((s, "updated", bad.count, bad.firstLine)) }
        }
        return rows
    }

    static func malformedSection(_ records: IdentityRecords, _ t: Localizer) -> ReportDocument.Section {
        let rows = malformedRows(records)
        let sources = records.config.sources
        guard !rows.isEmpty else {
            return .init(title: t("Malformed values"), intro: "", blocks: [.text(t("None: every value given could be read."))], code: nil)
        }
        let table = ReportDocument.Table(
            header: [t("source"), t("column"), t("values"), t("first at")],
            rows: rows.map { row in
                [.init(sources[row.source].name), .init(row.field), count(row.count, key: "malformed.\(sources[row.source].name).\(row.field)"),
                 .init("\(sources[row.source].file):\(row.firstLine)")]
            })
        return .init(title: t("Malformed values"),
                     intro: t("Values that cannot be what their column says (a phone of impossible length, an e-mail without a domain, a date that is not one): keys are never matched, names and birthdays are left blank, and an updated time counts as oldest."),
                     blocks: [.table(table)], code: nil)
    }

    static func count(_ n: Int, key: String) -> ReportDocument.Cell {
        .init(ReportFormat.count(n), key: key, value: Double(n))
    }
}
