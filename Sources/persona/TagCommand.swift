import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import Segmentation

struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Tag customers by rules (auto tags) and merge in manual tags.",
        discussion: """
            RULES.yaml lists tags and their conditions:

              tags:
                - name: 高价值客户
                  when: "monetary >= 5000 and frequency >= 10"
                - name: at risk
                  when: "recency_days > 90 and not (城市 in [\\"北京\\", \\"上海\\"])"

            Conditions: numbers, "strings", column names (`backquoted` when they hold spaces or \
            symbols), == != < <= > >=, and, or, not, parentheses, COL in [..], COL is missing, \
            COL is not missing, COL contains "x". not binds tighter than and, and tighter than \
            or. A comparison with a missing value is false. Text compares in Unicode code point \
            order. TAGS.csv holds the id and the matching tag names joined with ';' in rule \
            order (then manual tags), empty when none.
            """)

    @Argument(help: ArgumentHelp("The customer table (CSV, optionally .gz).", valueName: "INPUT.csv"))
    var input: String

    @Option(help: ArgumentHelp("The customer id column.", valueName: "COL"))
    var id: String

    @Option(help: ArgumentHelp("The tag rules (YAML).", valueName: "RULES.yaml"))
    var rules: String

    @Option(help: ArgumentHelp("Manual tags from staff: a CSV of customer id, tag (one tag per line). With --delimiter auto its separator is detected on its own.", valueName: "FILE.csv"))
    var manual: String?

    @OptionGroup var input_: InputOptions

    @OptionGroup var joining: JoinOptions

    @Option(help: ArgumentHelp("Where to write the tags.", valueName: "TAGS.csv"))
    var out: String

    func validate() throws {
        try checkDistinctOutputs([("--out", out)], inputs: [("INPUT", input), ("--rules", rules), ("--manual", manual)] + joining.joins.map { ("--join", $0) })
    }

    func run() throws {
        let progress = ProgressLine()
        do {
            let start = Date()
            let parsed = try TagRules.read(path: rules)
            let read = try input_.readOptions(for: input, progress: progress)
            // Staff lists often come from another tool than the export: sniffed on their own.
            let manualDelimiter = try manual.map { try input_.delimiter(for: $0) }
            let run = try TagJob.run(input: input, idColumn: id, rules: parsed, manual: manual, manualDelimiter: manualDelimiter,
                                     read: read, joining: try joining.tables(id: id, input: input_))
            let outputs = OutputSet.forCommand()
            try outputs.stage(run.csv(), to: out)
            try outputs.commit()
            var lines = ["persona tag: \(run.source), \(Format.count(run.tags.count)) customers, \(parsed.rules.count) rules"]
            let width = min(30, run.ruleCounts.map(\.name.count).max() ?? 10)
            for (name, count) in run.ruleCounts {
                lines.append("  " + String(name.prefix(width)).padding(toLength: width, withPad: " ", startingAt: 0)
                    + Format.count(count).leftPadded(to: 10) + "  " + Format.percent(count, of: run.tags.count))
            }
            let untagged = run.tags.filter(\.isEmpty).count
            lines.append("  untagged: \(Format.count(untagged)) (\(Format.percent(untagged, of: run.tags.count)))")
            if manual != nil {
                lines.append("  manual tags added: \(Format.count(run.manualApplied))"
                    + (run.manualUnknownIDs > 0 ? "; \(Format.count(run.manualUnknownIDs)) lines name ids not in \(run.source) (ignored)" : ""))
            }
            lines.append("  wrote \(out) in \(Format.seconds(Date().timeIntervalSince(start)))")
            progress.finish()
            Terminal.print(lines.joined(separator: "\n"))
        } catch {
            progress.finish()
            throw Terminal.fail(error)
        }
    }
}
