import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import NumericCore
import ProfileStore
import Segmentation

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Keep customers over time: ingest order batches, features without recomputing, dated snapshots of tiers, tags and status.",
        discussion: """
            STORE.db is one SQLite file. ingest appends an order log as one batch (all or \
            nothing; a batch with the same content is refused; lines dated before the store's \
            latest day are kept and counted as late arrivals). features writes exactly what \
            persona features writes for all batches together, recomputing only the customers \
            new batches touched. snapshot applies saved models and tag rules and the status rule \
            as of a date and keeps the result; history and changes read the snapshots back.

            Example:
              persona store init shop.db
              persona store ingest shop.db orders-2011-11.csv --customer CustomerID --date InvoiceDate \\
                --price UnitPrice --quantity Quantity --order InvoiceNo
              persona store features shop.db --out features.csv
              persona store snapshot shop.db --as-of 2011-12-01 --model segment.json --tags rules.yaml
              persona store changes shop.db --from 2011-11-01 --to 2011-12-01 --out changes.csv
            """,
        subcommands: [Init.self, Ingest.self, Batches.self, Features.self, Snapshot.self, Export.self, History.self, Changes.self])
}

/// The store file every subcommand names first.
struct StoreArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The store (an SQLite file).", valueName: "STORE.db"))
    var store: String

    func open() throws -> SQLiteProfileStore { try SQLiteProfileStore(path: store) }
}

/// `--format csv`: the only format, named so scripts can say what they expect.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case csv
}

/// Output to a file (written atomically) or standard output.
struct TableOutput: ParsableArguments {
    @Option(help: ArgumentHelp("Write the table here instead of standard output.", valueName: "FILE.csv"))
    var out: String?

    @Option(help: ArgumentHelp("Output format.", valueName: "FORMAT"))
    var format: TableFormat = .csv

    func write(_ bytes: [UInt8]) throws {
        let outputs = OutputSet.forCommand()
        try outputs.stage(bytes, to: out ?? "-")
        try outputs.commit()
    }
}

extension StoreCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an empty store.")

        @OptionGroup var store: StoreArgument

        func run() throws {
            do {
                try SQLiteProfileStore.create(path: store.store)
                Terminal.print("persona store: created \(store.store) (schema version \(SQLiteProfileStore.schemaVersion))")
            } catch {
                throw Terminal.fail(error)
            }
        }
    }

    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append an order log to the store as one batch.",
            discussion: """
                Reads the log as persona features does (same column options). Every batch of a \
                store must agree on whether there is an order and a category column, on \
                --dedupe, --normalize-ids and the pseudonym key. With --hash-key (or \
                PERSONA_HASH_KEY), customer ids are stored only as keyed pseudonyms.
                """)

        @OptionGroup var store: StoreArgument

        @Argument(help: ArgumentHelp("The order log (CSV, optionally .gz).", valueName: "ORDERS.csv"))
        var input: String

        @OptionGroup var columns: OrderLogColumns

        @Option(name: .customLong("hash-key"), help: ArgumentHelp("Store customer ids as HMAC-SHA-256 pseudonyms under this key (at least 16 bytes; default: PERSONA_HASH_KEY when set).", valueName: "SECRET"))
        var hashKey: String?

        func validate() throws {
            guard input != "-" else { throw ValidationError("ingest needs a file, not standard input: the batch's content hash is taken first") }
            try checkDistinctOutputs([("STORE.db", store.store)], inputs: [("ORDERS.csv", input)])
            _ = try keyedHash(option: hashKey)
        }

        func run() throws {
            BLASConfiguration.setThreadCount(1)
            let progress = ProgressLine()
            do {
                let start = Date()
                var options = try columns.options()
                try columns.detectSeparator(for: input, into: &options)
                let report = try store.open().ingest(path: input, options: options, pseudonyms: try keyedHash(option: hashKey)) {
                    progress.update($0)
                }
                progress.finish()
                let seconds = Date().timeIntervalSince(start)
                var text = """
                    persona store ingest: \((input as NSString).lastPathComponent) → \(store.store), batch \(report.batch)
                      lines           \(Format.count(report.lines)) (\(Format.count(Int(Double(report.lines) / max(seconds, 1e-9)))) lines/s)
                      customers       \(Format.count(report.touchedCustomers)) in this batch (\(Format.count(report.newCustomers)) new); \(Format.count(report.customers)) in the store
                    """
                if let first = report.firstTime, let last = report.lastTime {
                    text += "\n  dates           \(TimestampFormat.text(first)) … \(TimestampFormat.text(last))"
                }
                if report.lateLines > 0, let earliest = report.earliestLate {
                    text += "\n  late arrivals   \(Format.count(report.lateLines)) lines dated before the store's as-of, midnight after its latest line (earliest \(TimestampFormat.text(earliest))); kept"
                }
                if report.withoutCustomer > 0 { text += "\n  without id      \(Format.count(report.withoutCustomer)) lines (not kept)" }
                if report.badRowsSkipped > 0 { text += "\n  bad rows        \(Format.count(report.badRowsSkipped)) skipped" }
                text += "\n  store lines     \(Format.count(report.storeLines))"
                text += "\n  time            " + report.seconds.map { "\($0.0) \(Format.seconds($0.1))" }.joined(separator: ", ")
                Terminal.print(text)
            } catch {
                progress.finish()
                throw Terminal.fail(error)
            }
        }
    }

    struct Batches: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the batches in the store (CSV: batch,file,sha256,ingested_at,lines,stored_lines,late_lines,first_date,last_date).")

        @OptionGroup var store: StoreArgument

        @OptionGroup var output: TableOutput

        func run() throws {
            do {
                let batches = try store.open().batches()
                var csv = CSVWriter(reserve: 160 * (batches.count + 1))
                csv.row(["batch", "file", "sha256", "ingested_at", "lines", "stored_lines", "late_lines", "first_date", "last_date"])
                for b in batches {
                    csv.row([String(b.id), b.file, b.sha256, b.ingestedAt, String(b.lines), String(b.storedLines), String(b.lateLines),
                             TimestampFormat.text(b.firstTime), TimestampFormat.text(b.lastTime)])
                }
                try output.write(csv.bytes)
            } catch {
                throw Terminal.fail(error)
            }
        }
    }

    struct Features: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write persona features for every batch in the store.",
            discussion: """
                The same table persona features writes for the batches' lines in the order they \
                were ingested. As of a moment after the latest line (the default: midnight after \
                it), it comes from the per-customer totals the store keeps; an earlier --as-of \
                replays the lines.
                """)

        @OptionGroup var store: StoreArgument

        @Option(name: .customLong("as-of"), help: ArgumentHelp("Compute recency and tenure as of this date (default: midnight after the latest line). Later lines are left out.", valueName: "DATE"))
        var asOf: String?

        @Option(name: .customLong("top-categories"), parsing: .unconditional, help: ArgumentHelp("Categories (by total spend) that get a share:<category> column.", valueName: "N"))
        var topCategories: Int = 20

        @Option(help: ArgumentHelp("Where to write the customer features.", valueName: "FEATURES.csv"))
        var out: String

        func validate() throws {
            try checkDistinctOutputs([("--out", out)], inputs: [("STORE.db", store.store)])
            guard topCategories >= 0 else { throw ValidationError("--top-categories must be 0 or more; got \(topCategories)") }
            if let asOf { _ = try dateOption(asOf, option: "--as-of") }
        }

        func run() throws {
            BLASConfiguration.setThreadCount(1)
            do {
                let start = Date()
                let result = try store.open().features(asOf: try asOf.map { try dateOption($0, option: "--as-of") }, topCategories: topCategories)
                let computed = Date().timeIntervalSince(start)
                let outputs = OutputSet.forCommand()
                let file = try outputs.open(out)
                try result.features.writeCSV { try file.write($0) }
                try outputs.commit()
                Terminal.print("""
                    persona store features: \(store.store) → \(out)
                      customers       \(Format.count(result.features.ids.count)) as of \(TimestampFormat.text(result.features.report.asOf))
                      from            \(Format.count(result.batches)) batches, \(Format.count(result.lines)) lines (\(result.incremental ? "kept per-customer totals" : "lines replayed: the as-of date is before the latest line"))
                      time            compute \(Format.seconds(computed)), write \(Format.seconds(Date().timeIntervalSince(start) - computed))
                    """)
            } catch {
                throw Terminal.fail(error)
            }
        }
    }

    struct Snapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply saved models, tag rules and the status rule to every customer as of a date, and keep the result.",
            discussion: """
                Status as of the date, from the days since the last purchase: churned after more \
                than --churned-after days, inactive after more than --inactive-after days, \
                won_back while the last purchase ended a gap longer than --churned-after days, \
                active otherwise (a customer with returns only: inactive).
                """)

        @OptionGroup var store: StoreArgument

        @Option(name: .customLong("as-of"), help: ArgumentHelp("The snapshot's date: features as of its midnight.", valueName: "DATE"))
        var asOf: String

        @Option(help: ArgumentHelp("A segment model (persona segment --model) to place every customer in its tiers.", valueName: "SEGMENT_MODEL.json"))
        var model: String?

        @Option(help: ArgumentHelp("Tag rules (persona tag --rules).", valueName: "RULES.yaml"))
        var tags: String?

        @Option(name: .customLong("churn-model"), help: ArgumentHelp("A churn model (persona churn train --model) to score every customer.", valueName: "CHURN.json"))
        var churnModel: String?

        @Option(name: .customLong("inactive-after"), parsing: .unconditional, help: ArgumentHelp("Days without a purchase after which a customer is inactive.", valueName: "DAYS"))
        var inactiveAfter: Int = 90

        @Option(name: .customLong("churned-after"), parsing: .unconditional, help: ArgumentHelp("Days without a purchase after which a customer has churned.", valueName: "DAYS"))
        var churnedAfter: Int = 180

        @Flag(help: "Recompute a snapshot that already exists for this date.")
        var replace = false

        @Option(parsing: .unconditional, help: ArgumentHelp("Worker threads for the models (results do not depend on it). Default: all cores.", valueName: "T"))
        var threads: Int?

        func validate() throws {
            _ = try dateOption(asOf, option: "--as-of")
            do { _ = try StatusRules(inactiveAfterDays: inactiveAfter, churnedAfterDays: churnedAfter) } catch {
                throw ValidationError("--inactive-after / --churned-after: \(error)")
            }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1; got \(threads)") }
        }

        func run() throws {
            do {
                var request = SnapshotRequest(asOf: try dateOption(asOf, option: "--as-of"),
                                              status: try StatusRules(inactiveAfterDays: inactiveAfter, churnedAfterDays: churnedAfter))
                request.segmentModel = try model.map { ($0, try SegmentModel.read(path: $0)) }
                request.tagRules = try tags.map { ($0, try TagRules.read(path: $0)) }
                request.churnModel = try churnModel.map { ($0, try ChurnModelFile.read(path: $0)) }
                request.replace = replace
                request.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
                let report = try store.open().snapshot(request)
                let counts = StatusRules.statuses.map { "\($0) \(Format.count(report.statusCounts[$0] ?? 0))" }.joined(separator: ", ")
                Terminal.print("""
                    persona store snapshot: \(store.store) as of \(TimestampFormat.text(report.asOf))\(report.replaced ? " (replaced)" : "")
                      customers       \(Format.count(report.customers))
                      status          \(counts)
                    """)
            } catch {
                throw Terminal.fail(error)
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a snapshot: one row per customer (CSV: id,status,value_tier,behavior_tier,persona,lifecycle_stage,churn_probability,tags).")

        @OptionGroup var store: StoreArgument

        @Option(name: .customLong("as-of"), help: ArgumentHelp("The snapshot's date.", valueName: "DATE"))
        var asOf: String

        @OptionGroup var output: TableOutput

        func validate() throws { _ = try dateOption(asOf, option: "--as-of") }

        func run() throws {
            do {
                let opened = try store.open()
                let rows = try opened.snapshot(asOf: try dateOption(asOf, option: "--as-of"))
                var csv = CSVWriter(reserve: 80 * (rows.count + 1))
                csv.row([opened.idName, "status", "value_tier", "behavior_tier", "persona", "lifecycle_stage", "churn_probability", "tags"])
                for (customer, s) in rows {
                    for text in [customer, s.status, s.valueTier ?? "", s.behaviorTier ?? "", s.persona ?? "", s.lifecycle ?? ""] { csv.field(text) }
                    if let p = s.churnProbability { csv.field(p, significant: 12) } else { csv.emptyField() }
                    csv.field(s.tags.joined(separator: ";"))
                    csv.endRow()
                }
                try output.write(csv.bytes)
            } catch {
                throw Terminal.fail(error)
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One customer's status, tier and tag changes, snapshot by snapshot (CSV: as_of,field,from,to).")

        @OptionGroup var store: StoreArgument

        @Option(help: ArgumentHelp("The customer id (as ingested; with a pseudonymous store, the raw id and --hash-key).", valueName: "ID"))
        var customer: String

        @Option(name: .customLong("hash-key"), help: ArgumentHelp("The store's pseudonym key (default: PERSONA_HASH_KEY when set), to look up a raw id.", valueName: "SECRET"))
        var hashKey: String?

        @OptionGroup var output: TableOutput

        func run() throws {
            do {
                let opened = try store.open()
                var key = customer
                if opened.keepsPseudonyms {
                    guard let hash = try keyedHash(option: hashKey) else {
                        throw ValidationError("\(store.store) keeps customer ids as pseudonyms: give its key with --hash-key or PERSONA_HASH_KEY")
                    }
                    key = hash.pseudonym(customer)
                }
                let events = try opened.history(customer: key)
                var csv = CSVWriter(reserve: 64 * (events.count + 1))
                csv.row(["as_of", "field", "from", "to"])
                for e in events { csv.row([TimestampFormat.text(e.asOf), e.field, e.before, e.after]) }
                try output.write(csv.bytes)
            } catch {
                throw Terminal.fail(error)
            }
        }
    }

    struct Changes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What changed between two snapshots: the customers to act on, and migration matrices.",
            discussion: """
                The table (CSV: customer,field,from,to) lists every customer whose status, value \
                tier, behaviour tier, persona or lifecycle stage changed, and tags gained \
                (tag_added) or lost (tag_removed); customers new in the later snapshot come with \
                an empty 'from'. --matrix writes field,from,to,customers for every pair \
                (tags as tag:<name> with absent/present).
                """)

        @OptionGroup var store: StoreArgument

        @Option(help: ArgumentHelp("The earlier snapshot's date.", valueName: "DATE"))
        var from: String

        @Option(help: ArgumentHelp("The later snapshot's date.", valueName: "DATE"))
        var to: String

        @Option(help: ArgumentHelp("Also write the migration matrices here.", valueName: "MATRIX.csv"))
        var matrix: String?

        @OptionGroup var output: TableOutput

        func validate() throws {
            let (a, b) = (try dateOption(from, option: "--from"), try dateOption(to, option: "--to"))
            guard a < b else { throw ValidationError("--from (\(from)) must be before --to (\(to))") }
            try checkDistinctOutputs([("--out", output.out), ("--matrix", matrix)], inputs: [("STORE.db", store.store)])
        }

        func run() throws {
            do {
                let changes = try store.open().changes(from: try dateOption(from, option: "--from"), to: try dateOption(to, option: "--to"))
                var list = CSVWriter(reserve: 48 * (changes.changes.count + 1))
                list.row(["customer", "field", "from", "to"])
                for c in changes.changes { list.row([c.customer, c.field, c.before, c.after]) }
                let outputs = OutputSet.forCommand()
                if let matrix {
                    var table = CSVWriter(reserve: 48 * (changes.matrix.count + 1))
                    table.row(["field", "from", "to", "customers"])
                    for m in changes.matrix { table.row([m.field, m.before, m.after, String(m.customers)]) }
                    try outputs.stage(table.bytes, to: matrix)
                }
                try outputs.stage(list.bytes, to: output.out ?? "-")
                try outputs.commit()
                let moved = changes.matrix.filter { $0.field == "status" && $0.before != $0.after && !$0.before.isEmpty }
                    .map { "\($0.before) → \($0.after) \(Format.count($0.customers))" }
                let customers = Set(changes.changes.map(\.customer)).count
                Terminal.print("""
                    persona store changes: \(TimestampFormat.text(changes.from)) → \(TimestampFormat.text(changes.to))
                      customers       \(Format.count(customers)) with a change (\(Format.count(changes.onlyAfter)) new)
                      status moves    \(moved.isEmpty ? "none" : moved.joined(separator: ", "))
                    """)
            } catch {
                throw Terminal.fail(error)
            }
        }
    }
}
