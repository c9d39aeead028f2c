import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import Reporting
import Segmentation

struct IdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Resolve the records of several systems (CRM, shop, tills, membership) into customers.",
        discussion: """
            The config (YAML) lists the sources: each with name, file (relative to the \
            config's folder), id (its record-id column), any of the key columns phone, email, \
            member_id, the descriptive columns full_name, birthday, updated (when the record \
            last changed), and country (ISO region for numbers without a calling code; default \
            CN). Optional: hub_guard: N (default 50), member_id: {leading_zeros: keep|strip} \
            (default keep), confirm, survivorship and priority (below).

            Phones are brought to E.164, e-mails trimmed, lower-cased and NFC-normalised, \
            member ids trimmed and upper-cased. Records sharing a phone, e-mail or member id \
            (or a record id within one source) are one customer. A key value carried by more \
            than the hub guard's number of records with different other keys (a store's phone \
            typed for walk-ins, test@test.com) is reported and not used. Malformed keys are \
            counted per source and never matched.

            Confirmation (optional): confirm: {phone: {name_similarity: 0.8}} (also for \
            email and member_id) joins records sharing that key only when their normalised \
            full names have a Jaro-Winkler similarity of at least 0.8: a record joins the \
            first earlier one whose name is similar enough. A record without a name has \
            nothing to contradict: it joins the key's first record that has a name. Refused \
            joins are counted per key (unconfirmed).

            customer_key: with --hash-key or PERSONA_HASH_KEY, an HMAC-SHA-256 pseudonym \
            (32 hex digits) of the customer's smallest source and record id, the same for the \
            same data and key; PROFILES.csv then leaves out phone, e-mail and member id, and \
            the summary masks key values. Without a key: C00000001, C00000002, ... by order \
            of first appearance (sources in config order, records in file order).

            PROFILES.csv picks each field by its survivorship rule, e.g. survivorship: \
            {phone: most_recent, email: source_priority}: most_frequent (the default; ties go \
            to the value seen first, sources in config order), most_recent (the value of the \
            record with the latest updated time; records without one count as oldest; ties by \
            most_frequent) or source_priority (the value from the first source in priority: \
            [crm, shop, ...], default the config's order, unlisted sources after it; within a \
            source by most_frequent). updated takes 2024-05-01, 2024-05-01 13:45:00, \
            2024-05-01T13:45:00Z (or +08:00) and 2024/5/1; other values are counted as \
            malformed.

            --report REPORT.html writes one self-contained HTML page (no scripts, nothing \
            fetched): records per source, customers, merges by key, customers by number of \
            records, source overlap, hub keys dropped, malformed values with the first line, \
            refused joins, birthday conflicts and the settings used. With a hash key it holds \
            no phone, e-mail or member id (hub keys masked, birthday conflicts only counted).

            Example:
              persona identity --config identity.yaml --out identities.csv --profiles profiles.csv --report identity.html
            """)

    @Option(help: ArgumentHelp("The sources and matching settings (YAML).", valueName: "identity.yaml"))
    var config: String

    @Option(help: ArgumentHelp("Where to write source,record_id,customer_key for every record.", valueName: "IDENTITIES.csv"))
    var out: String

    @Option(help: ArgumentHelp("Also write one row per customer (each field chosen by the config's survivorship rules; default the most frequent non-blank value).", valueName: "PROFILES.csv"))
    var profiles: String?

    @Option(name: .customLong("hash-key"), help: ArgumentHelp("Make customer keys HMAC pseudonyms (prefer the PERSONA_HASH_KEY environment variable: command lines are visible to other users). At least 16 bytes.", valueName: "KEY"))
    var hashKey: String?

    @Option(name: .customLong("max-shared"), parsing: .unconditional, help: ArgumentHelp("Hub guard: overrides the config's hub_guard (a key value carried by more than N different identities is not used).", valueName: "N"))
    var maxShared: Int?

    @Option(help: ArgumentHelp("Also write an HTML report: one self-contained file (inline SVG, no scripts, opens offline).", valueName: "REPORT.html"))
    var report: String?

    @Option(help: ArgumentHelp("Language of the report: en (default) or zh (中文).", valueName: "en|zh"))
    var lang: String = "en"

    @OptionGroup var limits: LimitOptions

    func validate() throws {
        try checkDistinctOutputs([("--out", out), ("--profiles", profiles), ("--report", report)], inputs: [("--config", config)])
        try checkLanguage(lang, wanted: report != nil, outputs: "the report: add --report")
        if let maxShared, maxShared < 1 { throw ValidationError("--max-shared must be at least 1; got \(maxShared)") }
    }

    func run() throws {
        do {
            let start = Date()
            var settings = try IdentityConfig.read(path: config)
            if let maxShared { settings.hubGuard = maxShared }
            let hashing = try keyedHash(option: hashKey)
            let records = try IdentityRecords.read(settings, limits: try limits.limits())
            let resolution = IdentityResolution(records: records, hash: hashing)
            let profileRows = resolution.profiles()  // also for the birthday conflicts in the summary
            let outputs = OutputSet.forCommand()
            let identities = try outputs.open(out)
            try resolution.writeIdentitiesCSV { try identities.write($0) }
            if let profiles {
                let file = try outputs.open(profiles)
                try profileRows.writeCSV(threads: ProcessInfo.processInfo.activeProcessorCount) { try file.write($0) }
            }
            if let report {
                let document = IdentityReport.document(resolution, profiles: profileRows, language: Language(rawValue: lang) ?? .en)
                try outputs.stage(Array(HTMLReport.render(document).utf8), to: report)
            }
            try outputs.commit()
            Terminal.print(IdentitySummary(resolution: resolution, profiles: profileRows, outputs: [out] + [profiles, report].compactMap { $0 },
                                           seconds: Date().timeIntervalSince(start)).text)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw Terminal.fail(error)
        }
    }
}
