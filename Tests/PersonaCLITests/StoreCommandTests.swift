import Foundation
import Testing

@Suite("persona store") struct StoreCommandTests {
    static let columns = ["--customer", "CustomerID", "--date", "InvoiceDate", "--price", "UnitPrice", "--quantity", "Quantity",
                          "--order", "InvoiceNo", "--category", "Category"]

    /// A generated order log cut into `parts` batches by line (each with the header), and the
    /// path of the concatenation of the first `k` of them.
    func batches(_ runner: PersonaRunner, customers: Int, parts: Int) throws -> (paths: [String], lines: [[Substring]], header: Substring) {
        let made = try runner.run(["--help"])  // the persona binary is there
        #expect(made.status == 0)
        let datagen = PersonaRunner.binary.deletingLastPathComponent().appendingPathComponent("persona-datagen")
        let process = Process()
        process.executableURL = datagen
        process.arguments = ["orders", "--customers", String(customers), "--start", "2023-01-01", "--end", "2023-12-31",
                             "--out", runner.path("orders.csv")]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = try runner.read("orders.csv")
        let all = text.split(separator: "\n")
        let header = all[0], body = Array(all.dropFirst())
        var paths = [String](), parts_ = [[Substring]]()
        for k in 0..<parts {
            let part = Array(body[(k * body.count / parts)..<((k + 1) * body.count / parts)])
            parts_.append(part)
            paths.append(try runner.write("batch\(k).csv", ([header] + part).joined(separator: "\n") + "\n"))
        }
        return (paths, parts_, header)
    }

    @Test("init, ingest, batches, features, snapshot, changes and history from the command line")
    func roundTrip() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let (paths, parts, header) = try batches(runner, customers: 300, parts: 3)
        #expect(try runner.run(["store", "init", "s.db"]).status == 0)
        let again = try runner.run(["store", "init", "s.db"])
        #expect(again.status == 1 && again.stderr == "persona: error: s.db already exists; a store is created once (ingest into it, or choose another name)\n")
        for path in paths {
            let ingest = try runner.run(["store", "ingest", "s.db", path] + Self.columns)
            #expect(ingest.status == 0, "\(ingest.stderr)")
        }
        let repeated = try runner.run(["store", "ingest", "s.db", paths[1]] + Self.columns)
        #expect(repeated.status == 1 && repeated.stderr.hasPrefix("persona: error: \(paths[1]): this batch is already in s.db (batch 2, ingested from batch1.csv at "))
        let listed = try runner.run(["store", "batches", "s.db"])
        let rows = listed.stdout.split(separator: "\n")
        #expect(rows.count == 4 && rows[0] == "batch,file,sha256,ingested_at,lines,stored_lines,late_lines,first_date,last_date")
        #expect(rows[1].hasPrefix("1,batch0.csv,") && rows[3].hasPrefix("3,batch2.csv,"))
        #expect(rows[2].split(separator: ",")[4] == Substring(String(parts[1].count)))

        try runner.write("all.csv", ([header] + parts.flatMap { $0 }).joined(separator: "\n") + "\n")
        #expect(try runner.run(["features", "all.csv"] + Self.columns + ["--out", "expected.csv"]).status == 0)
        let features = try runner.run(["store", "features", "s.db", "--out", "stored.csv"])
        #expect(features.status == 0, "\(features.stderr)")
        #expect(try runner.read("stored.csv") == runner.read("expected.csv"))

        for date in ["2023-07-01", "2024-01-01"] {
            let snapshot = try runner.run(["store", "snapshot", "s.db", "--as-of", date])
            #expect(snapshot.status == 0, "\(snapshot.stderr)")
        }
        let changes = try runner.run(["store", "changes", "s.db", "--from", "2023-07-01", "--to", "2024-01-01", "--matrix", "m.csv", "--out", "c.csv"])
        #expect(changes.status == 0, "\(changes.stderr)")
        let list = try runner.read("c.csv").split(separator: "\n")
        #expect(list[0] == "customer,field,from,to" && list.count > 10)
        let first = list[1].split(separator: ",", omittingEmptySubsequences: false)
        let history = try runner.run(["store", "history", "s.db", "--customer", String(first[0])])
        #expect(history.status == 0)
        #expect(history.stdout.hasPrefix("as_of,field,from,to\n"))
        #expect(history.stdout.contains("2024-01-01,\(first[1]),\(first[2]),\(first[3])\n"), "\(history.stdout)")
        let matrix = try runner.read("m.csv")
        #expect(matrix.hasPrefix("field,from,to,customers\n") && matrix.contains("\nstatus,active,"))
    }

    @Test("bad uses get a clear message")
    func errors() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let missing = try runner.run(["store", "features", "none.db", "--out", "f.csv"])
        #expect(missing.stderr == "persona: error: no store at none.db: create it first with persona store init none.db\n")
        try runner.write("o.csv", "CustomerID,InvoiceDate,UnitPrice,Quantity,InvoiceNo,Category\n1,2023-01-01,x,1,A,B\n")
        #expect(try runner.run(["store", "init", "s.db"]).status == 0)
        let bad = try runner.run(["store", "ingest", "s.db", "o.csv"] + Self.columns)
        #expect(bad.status == 1)
        #expect(bad.stderr == "persona: error: o.csv:2: column 'UnitPrice' (3): \"x\" is not a number\n", "\(bad.stderr)")
        let empty = try runner.run(["store", "features", "s.db", "--out", "f.csv"])
        #expect(empty.stderr == "persona: error: s.db holds no order lines yet: ingest a batch first\n")
        #expect(!runner.files.contains("f.csv"))
        let stdin = try runner.run(["store", "ingest", "s.db", "-"] + Self.columns)
        #expect(stdin.status != 0 && stdin.stderr.contains("ingest needs a file, not standard input"))
        let thresholds = try runner.run(["store", "snapshot", "s.db", "--as-of", "2023-01-01", "--inactive-after", "200"])
        #expect(thresholds.stderr.contains("--inactive-after / --churned-after: status rule: the churned threshold (180 days) must be longer than the inactive one (200 days)"))
    }

    @Test("kill -9 during ingest: each batch is in the store whole or not at all")
    func killedIngest() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let (paths, parts, header) = try batches(runner, customers: 3_000, parts: 3)
        // How long one ingest takes here, so the kills land anywhere in it, commit included.
        #expect(try runner.run(["store", "init", "probe.db"]).status == 0)
        let start = Date()
        #expect(try runner.run(["store", "ingest", "probe.db", paths[0]] + Self.columns).status == 0)
        let duration = UInt32(max(0.05, Date().timeIntervalSince(start)) * 1e6)
        #expect(try runner.run(["store", "init", "s.db"]).status == 0)
        var random = SystemRandomNumberGenerator()
        var kills = 0
        for path in paths {
            for _ in 0..<3 {
                let process = Process()
                process.executableURL = PersonaRunner.binary
                process.arguments = ["store", "ingest", runner.path("s.db"), path] + Self.columns
                process.standardError = FileHandle.nullDevice
                try process.run()
                usleep(UInt32.random(in: 0..<duration, using: &random))
                if process.isRunning { kill(process.processIdentifier, SIGKILL); kills += 1 }
                process.waitUntilExit()
                // Whatever the moment, the store reads back: its batches are whole.
                let listed = try runner.run(["store", "batches", "s.db"])
                #expect(listed.status == 0, "\(listed.stderr)")
                for row in listed.stdout.split(separator: "\n").dropFirst() {
                    let fields = row.split(separator: ",")
                    let k = Int(fields[1].dropFirst(5).dropLast(4))!
                    #expect(Int(fields[4]) == parts[k].count, "batch \(k) is whole")
                }
            }
            // Then the batch goes in (or is found already in).
            let finish = try runner.run(["store", "ingest", "s.db", path] + Self.columns)
            #expect(finish.status == 0 || finish.stderr.contains("this batch is already in"), "\(finish.stderr)")
        }
        #expect(kills > 0)
        try runner.write("all.csv", ([header] + parts.flatMap { $0 }).joined(separator: "\n") + "\n")
        #expect(try runner.run(["features", "all.csv"] + Self.columns + ["--out", "expected.csv"]).status == 0)
        #expect(try runner.run(["store", "features", "s.db", "--out", "stored.csv"]).status == 0)
        #expect(try runner.read("stored.csv") == runner.read("expected.csv"))
    }

    @Test("snapshot places customers as persona segment --apply does, with the churn model's scores")
    func snapshotModels() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let orders = repositoryRoot.appendingPathComponent("datasets/sample_orders.csv").path
        let lines = try String(contentsOfFile: orders, encoding: .utf8).split(separator: "\n")
        let body = lines.dropFirst()
        var batches = [String]()
        for k in 0..<3 {
            let part = body[(body.startIndex + k * body.count / 3)..<(body.startIndex + (k + 1) * body.count / 3)]
            batches.append(try runner.write("b\(k).csv", ([lines[0]] + part).joined(separator: "\n") + "\n"))
        }
        let columns = Self.columns
        #expect(try runner.run(["features", orders] + columns.dropLast(2) + ["--cutoff", "2023-10-01", "--horizon", "90", "--out", "train.csv"]).status == 0)
        let churn = try runner.run(["churn", "train", "train.csv", "--id", "CustomerID", "--label", "churned", "--exclude", "purchased_in_horizon",
                                    "--model", "churn.json"])
        #expect(churn.status == 0, "\(churn.stderr)")
        #expect(try runner.run(["store", "init", "s.db"]).status == 0)
        for batch in batches { #expect(try runner.run(["store", "ingest", "s.db", batch] + columns).status == 0) }
        #expect(try runner.run(["store", "features", "s.db", "--out", "f.csv"]).status == 0)
        let config = repositoryRoot.appendingPathComponent("datasets/persona.yaml").path
        let fit = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--config", config, "--model", "seg.json", "--out", "fit.csv"])
        #expect(fit.status == 0, "\(fit.stderr)")
        let applied = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--apply", "seg.json", "--churn-model", "churn.json", "--out", "applied.csv"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let snapshot = try runner.run(["store", "snapshot", "s.db", "--as-of", "2024-01-01", "--model", "seg.json", "--churn-model", "churn.json"])
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        #expect(try runner.run(["store", "export", "s.db", "--as-of", "2024-01-01", "--out", "snap.csv"]).status == 0)

        let segments = try CSVText(path: runner.path("applied.csv")), stored = try CSVText(path: runner.path("snap.csv"))
        #expect(stored.header == ["CustomerID", "status", "value_tier", "behavior_tier", "persona", "lifecycle_stage", "churn_probability", "tags"])
        #expect(segments.rows.count == 500 && stored.rows.count == 500)
        let column = { (table: CSVText, name: String) in table.header.firstIndex(of: name) ?? -1 }
        var byID = [String: [String]]()
        for row in segments.rows { byID[row[0]] = row }
        for row in stored.rows {
            let expected = try #require(byID[row[0]])
            for name in ["value_tier", "behavior_tier", "persona", "lifecycle_stage", "churn_probability"] {
                #expect(row[column(stored, name)] == expected[column(segments, name)], "\(row[0]) \(name)")
            }
            let tags = { (text: String) in Set(text.split(separator: ";").map(String.init)) }
            #expect(tags(row[column(stored, "tags")]) == tags(expected[column(segments, "tags")]), "\(row[0]) tags")
        }
    }

    @Test("a pseudonymous store: ids stored as pseudonyms, history looks a raw id up with the key")
    func pseudonymousHistory() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("o.csv", "CustomerID,InvoiceDate,UnitPrice,Quantity,InvoiceNo,Category\n12345,2023-01-01,10,1,A,B\n777,2023-03-01,5,2,C,B\n")
        let key = ["--hash-key", "a secret of at least sixteen bytes"]
        #expect(try runner.run(["store", "init", "s.db"]).status == 0)
        #expect(try runner.run(["store", "ingest", "s.db", "o.csv"] + Self.columns + key).status == 0)
        #expect(try runner.run(["store", "snapshot", "s.db", "--as-of", "2023-06-01"]).status == 0)
        let history = try runner.run(["store", "history", "s.db", "--customer", "12345"] + key)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout == "as_of,field,from,to\n2023-06-01,status,,inactive\n")
        let keyless = try runner.run(["store", "history", "s.db", "--customer", "12345"])
        #expect(keyless.stderr.contains("s.db keeps customer ids as pseudonyms: give its key with --hash-key or PERSONA_HASH_KEY"), "\(keyless.stderr)")
        let exported = try runner.run(["store", "export", "s.db", "--as-of", "2023-06-01"])
        #expect(!exported.stdout.contains("12345") && exported.stdout.split(separator: "\n").count == 3)
    }
}
