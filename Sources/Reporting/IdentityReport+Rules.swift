import Segmentation

/// The report's sections on the rules: name confirmation, birthday conflicts and the settings used.
extension IdentityReport {
    static func confirmationSection(_ resolution: IdentityResolution, _ t: Localizer) -> ReportDocument.Section {
        let config = resolution.records.config
        let ruled = IdentityField.strong.filter { config.confirm[$0] != nil }
        guard !ruled.isEmpty else {
            return .init(title: t("Name confirmation"), intro: "",
                         blocks: [.text(t("No confirmation rules: records sharing a key are joined whatever their names."))], code: nil)
        }
        let table = ReportDocument.Table(
            header: [t("key"), t("rule"), t("joins refused")],
            rows: ruled.map { field in
                [.init(field.rawValue), .init(rule(config.confirm[field], t)),
                 count(resolution.matching.unconfirmed[field] ?? 0, key: "unconfirmed.\(field.rawValue)")]
            })
        return .init(title: t("Name confirmation"),
                     intro: t("Records sharing a key with a rule are joined only when their normalised full names are similar enough (Jaro-Winkler); a record without a name joins the key's first record with a name. A refused join leaves the record apart unless another key joins it."),
                     blocks: [.table(table)], code: nil)
    }

    static func rule(_ rule: ConfirmationRule?, _ t: Localizer) -> String {
        rule.map { t("name similarity ≥ {0}", "\($0.nameSimilarity)") } ?? t("none")
    }

    static func conflictsSection(_ resolution: IdentityResolution, profiles: IdentityProfiles, _ t: Localizer) -> ReportDocument.Section {
        let conflicts = profiles.conflicts
        var blocks: [ReportDocument.Block] = [.text(t("{0} customers have records with different birthdays (PROFILES.csv birthday_conflict).",
                                                      ReportFormat.count(conflicts.count)))]
        if resolution.pseudonymous {
            if !conflicts.isEmpty { blocks.append(.text(t("Not listed: customer keys are pseudonymous, and birthdays are personal data."))) }
        } else if !conflicts.isEmpty {
            blocks.append(.table(ReportDocument.Table(
                header: [t("customer"), t("birthdays")],
                rows: conflicts.prefix(listedConflicts).map { profiles[$0] }.map { [.init($0.customerKey), .init($0.birthdays.joined(separator: " vs "))] })))
            if conflicts.count > listedConflicts {
                blocks.append(.text(t("… and {0} more.", ReportFormat.count(conflicts.count - listedConflicts))))
            }
        }
        return .init(title: t("Birthday conflicts"), intro: "", blocks: blocks, code: nil)
    }

    static func settingsSection(_ resolution: IdentityResolution, _ t: Localizer) -> ReportDocument.Section {
        let config = resolution.records.config
        var rows: [[ReportDocument.Cell]] = [
            [.init(t("customer keys")), .init(resolution.pseudonymous ? t("HMAC pseudonyms") : t("sequential keys"))],
            [.init(t("hub guard")), .init(t("a key value shared by more than {0} different identities is not used", String(config.hubGuard)))],
            [.init(t("member id leading zeros")), .init(config.leadingZeros.rawValue)],
        ]
        for field in IdentityField.allCases {
            rows.append([.init(t("survivorship: {0}", field.rawValue)), .init((config.survivorship[field] ?? .mostFrequent).rawValue)])
        }
        let order = config.priority.isEmpty ? Array(config.sources.indices) : config.priority
        rows.append([.init(t("source priority")), .init(order.map { config.sources[$0].name }.joined(separator: " > "))])
        for field in IdentityField.strong {
            rows.append([.init(t("confirmation: {0}", field.rawValue)), .init(rule(config.confirm[field], t))])
        }
        for source in config.sources {
            let columns = [("id", source.id)] + IdentityField.allCases.compactMap { f in source.columns[f].map { (f.rawValue, $0) } }
                + (source.updated.map { [("updated", $0)] } ?? [])
            rows.append([.init(t("source {0}", source.name)),
                         .init(([source.file] + columns.map { "\($0.0): \($0.1)" } + ["country: \(source.country)"]).joined(separator: " · "))])
        }
        return .init(title: t("Settings"), intro: t("What this run was asked to do (the config, and --max-shared where given)."),
                     blocks: [.table(ReportDocument.Table(header: [t("setting"), t("value")], rows: rows))], code: nil)
    }
}
