import Foundation
import Testing
@testable import Reporting

/// The attribute values of every element `tag` with `class="mark"`, in order.
func marks(_ markup: String, _ tag: String) -> [[String: String]] {
    let element = try? NSRegularExpression(pattern: "<\(tag) ([^>]*class=\"mark\"[^>]*)>")
    let attribute = try? NSRegularExpression(pattern: "([a-z-]+)=\"([^\"]*)\"")
    let text = markup as NSString
    return (element?.matches(in: markup, range: NSRange(location: 0, length: text.length)) ?? []).map { match in
        let attributes = text.substring(with: match.range(at: 1))
        var values = [String: String]()
        for pair in attribute?.matches(in: attributes, range: NSRange(location: 0, length: (attributes as NSString).length)) ?? [] {
            values[(attributes as NSString).substring(with: pair.range(at: 1))] = (attributes as NSString).substring(with: pair.range(at: 2))
        }
        return values
    }
}

@Suite("Report charts and documents")
struct ReportTests {
    @Test("heatmap: one cell per value, ramp from white to blue, diverging to vermillion, text escaped")
    func heatmap() {
        let markup = Charts.heatmap(title: "t", rowLabels: ["a", "b"], columnLabels: ["x", "y & z"], strength: [[0, 1], [-1, .nan]],
                                    cellText: [["1\n10%", "2"], ["3", "4"]], diverging: true)
        #expect(wellFormed(markup))
        let cells = marks(markup, "rect")
        #expect(cells.count == 4)
        #expect(cells.map { $0["fill"] ?? "" } == ["#FFFFFF", "#D55E00", "#0072B2", "#f2f2f2"])
        #expect(markup.contains("y &amp; z") && markup.contains(">10%</text>"))
        // Sequential: 0.5 is halfway between white and Okabe–Ito blue.
        #expect(Ramp.sequential(0.5) == "#80B9D9")
    }

    @Test("scatter: a point per row, coloured by group, a legend entry per group")
    func scatter() {
        let markup = Charts.scatter(title: "p", x: [0, 1, 2], y: [2, 1, 0], groups: [0, 1, 1], groupNames: ["first", "second"],
                                    xLabel: "x", yLabel: "y")
        #expect(wellFormed(markup))
        let points = marks(markup, "circle")
        #expect(points.map { $0["fill"] ?? "" } == [Palette.colour(0), Palette.colour(1), Palette.colour(1)])
        // x increases to the right, y upwards.
        let cx = points.compactMap { Double($0["cx"] ?? "") }, cy = points.compactMap { Double($0["cy"] ?? "") }
        #expect(cx[0] < cx[1] && cx[1] < cx[2] && cy[0] < cy[1] && cy[1] < cy[2])
        #expect(markup.contains(">first</text>") && markup.contains(">second</text>"))
    }

    @Test("lines: points at their coordinates, the chosen k marked, integer ticks")
    func lines() {
        let markup = Charts.lines(title: "s", series: [.init(name: "s", points: [(2, 0.5), (3, 0.25), (4, .nan)])], xLabel: "k", yLabel: "",
                                  xDomain: 2...4, yDomain: 0...1, marker: (3, "chosen k = 3"), integerX: true, width: 300, height: 200)
        #expect(wellFormed(markup))
        let points = marks(markup, "circle")
        #expect(points.count == 2)  // the NaN point is left out
        // Plot area: x 62…284, y 34…156 (top/bottom margins 34 and 44).
        #expect(points[0]["cx"] == "62" && points[1]["cx"] == "173")
        #expect(points[0]["cy"] == "95" && points[1]["cy"] == "125.5")
        #expect(markup.contains(">chosen k = 3</text>"))
        for k in ["2", "3", "4"] { #expect(markup.contains(">\(k)</text>")) }
    }

    @Test("intervals: log axis with 1-2-5 ticks, the estimate between its bounds, the no-effect line at 1")
    func intervals() {
        let markup = Charts.intervals(title: "or", labels: ["a", "b"], estimates: [2, 0.5], lows: [1.5, 0.25], highs: [3, 1], xLabel: "odds ratio")
        #expect(wellFormed(markup))
        let dots = marks(markup, "circle").compactMap { Double($0["cx"] ?? "") }
        #expect(dots.count == 2)
        // On a log axis 2 and 0.5 sit equally far from 1.
        let one = try? NSRegularExpression(pattern: "<line x1=\"([0-9.]+)\"[^>]*stroke=\"#999\"")
        let line = one?.firstMatch(in: markup, range: NSRange(location: 0, length: (markup as NSString).length))
            .flatMap { Double((markup as NSString).substring(with: $0.range(at: 1))) }
        #expect(line.map { abs(($0 - dots[1]) - (dots[0] - $0)) < 0.02 } == true)
        for tick in [">0.5<", ">1<", ">2<"] { #expect(markup.contains(tick)) }
    }

    @Test("boxes: quartiles by linear interpolation (numpy's default)")
    func boxes() {
        #expect(Quantiles.linear([1, 2, 3, 4], 0.25) == 1.75)
        #expect(Quantiles.linear([1, 2, 3, 4], 0.5) == 2.5)
        #expect(Quantiles.linear([10], 0.95) == 10)
        let markup = Charts.boxes(title: "b", labels: ["x", "y"], values: [[0.1, 0.2, 0.3, 0.4], []], xLabel: "p")
        #expect(wellFormed(markup))
        #expect(marks(markup, "rect").count == 1)  // an empty group draws no box
    }

    @Test("ROC curve, hand-worked: one point per distinct score, ties move diagonally")
    func roc() {
        let points = ChurnReport.rocCurve([0.9, 0.8, 0.7, 0.6], labels: [1, 0, 1, 0])
        #expect(points.map(\.x) == [0, 0, 0.5, 0.5, 1] && points.map(\.y) == [0, 0.5, 0.5, 1, 1])
        let tied = ChurnReport.rocCurve([0.5, 0.5, 0.1], labels: [1, 0, 0])
        #expect(tied.map(\.x) == [0, 0.5, 1] && tied.map(\.y) == [0, 1, 1])
        #expect(ChurnReport.rocCurve([0.3, 0.4], labels: [1, 1]).isEmpty)  // one class: no curve
    }

    @Test("calibration bins, hand-worked: [k/10, (k+1)/10), 1.0 in the last bin, empty bins left out")
    func calibration() {
        let bins = ChurnReport.calibrationBins([0.05, 0.15, 0.12, 1.0, 0.95], labels: [0, 1, 0, 1, 1])
        #expect(bins.map(\.low) == [0, 0.1, 0.9])
        #expect(bins.map(\.count) == [1, 2, 2])
        #expect(bins.map(\.observed) == [0, 0.5, 1])
        #expect(abs(bins[1].predicted - 0.135) < 1e-15 && abs(bins[2].predicted - 0.975) < 1e-15)
    }

    @Test("notebook text and paths: Jupyter line lists, paths relative to the notebook, Python literals escaped")
    func notebookHelpers() {
        #expect(Notebook.lines("a\nb\n") == ["a\n", "b\n"])
        #expect(Notebook.lines("a\nb") == ["a\n", "b"])
        #expect(ReportFiles.relative("/r/datasets/x.csv", from: "/r/notebooks-export/cluster/n.ipynb") == "../../datasets/x.csv")
        #expect(ReportFiles.relative("/r/out/s.csv", from: "/r/out/n.ipynb") == "s.csv")
        #expect(ReportFiles.relative("/check/work/main/f.csv", from: "/tmp/t.1/n.ipynb") == "/check/work/main/f.csv")
        #expect(ReportFiles.relative("/tmp/a/../f.csv", from: "/tmp/t.1/n.ipynb") == "../f.csv")
        #expect(ReportFiles.python("a\"b\\c") == "\"a\\\"b\\\\c\"")
    }

    @Test("HTML: labels escaped, numbers carried as data attributes, nothing fetched, a notebook with outputs and no run")
    func documents() throws {
        let document = ReportDocument(
            language: .en, title: "<Report> & co", subtitle: "s",
            headline: [.init("customers", "1,234", key: "customers", value: 1234), .init("share", "12.5%", key: "x", value: 0.125)],
            sections: [.init(title: "Sizes", intro: "i", blocks: [
                .figure(svg: Charts.bars(title: "b", labels: ["a"], values: [1]), caption: "c"),
                .table(.init(header: ["h"], rows: [[.init("0.1", key: "k", value: 0.1)]])),
            ], code: "segments.head()")],
            setupCode: "import pandas as pd")
        let html = HTMLReport.render(document)
        #expect(html.contains("<title>&lt;Report&gt; &amp; co</title>"))
        #expect(html.contains("data-key=\"customers\" data-value=\"1234.0\"") && html.contains("data-key=\"x\" data-value=\"0.125\""))
        #expect(html.contains("data-key=\"k\" data-value=\"0.1\""))
        #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("@import") && !html.contains("url("))
        #expect(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: "http") == nil)

        let notebook = try JSONSerialization.jsonObject(with: Data(try Notebook.render(document))) as? [String: Any]
        #expect(notebook?["nbformat"] as? Int == 4 && notebook?["nbformat_minor"] as? Int == 5)
        let cells = notebook?["cells"] as? [[String: Any]] ?? []
        #expect(cells.map { $0["cell_type"] as? String ?? "" } == ["markdown", "code", "markdown", "code"])
        #expect(Set(cells.compactMap { $0["id"] as? String }).count == cells.count)
        let code = cells[3]
        #expect(code["execution_count"] is NSNull)
        let outputs = code["outputs"] as? [[String: Any]] ?? []
        #expect(outputs.count == 2 && outputs.allSatisfy { $0["output_type"] as? String == "display_data" })
        let svg = ((outputs[0]["data"] as? [String: Any])?["image/svg+xml"] as? [String])?.joined()
        #expect(svg == Charts.bars(title: "b", labels: ["a"], values: [1]))
        #expect(((outputs[1]["data"] as? [String: Any])?["text/html"] as? [String])?.joined().contains("<table>") == true)
    }

    @Test("every label the reports use has a Chinese translation, with the same {n} placeholders")
    func translations() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Reporting")
        let call = try NSRegularExpression(pattern: "(?:\\bt|Localizer\\(document\\.language\\))\\(\"((?:[^\"\\\\]|\\\\.)*)\"")
        var labels = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in call.matches(in: text, range: NSRange(location: 0, length: (text as NSString).length)) {
                labels.insert((text as NSString).substring(with: match.range(at: 1)))
            }
        }
        #expect(labels.count > 100)
        let placeholder = try NSRegularExpression(pattern: "\\{[0-9]\\}")
        func placeholders(_ s: String) -> [String] {
            placeholder.matches(in: s, range: NSRange(location: 0, length: (s as NSString).length)).map { (s as NSString).substring(with: $0.range) }.sorted()
        }
        for label in labels.sorted() {
            let translated = Strings.zh[label]
            #expect(translated != nil, "no Chinese for \"\(label)\"")
            if let translated { #expect(placeholders(translated) == placeholders(label), "\(label)") }
        }
        let t = Localizer(.zh)
        #expect(t("Cluster {0}", "3") == "簇 3")
        #expect(t.personaName("high value · active · prefers: Toys & Games") == "高价值 · 活跃 · 偏好: Toys & Games")
        #expect(t.name("my own tier") == "my own tier")
    }

    @Test("placeholders are filled in one pass: an argument that reads {1} stays as it is")
    func placeholdersOnePass() {
        let t = Localizer(.en)
        #expect(t("{0} of {1}", "spend {1}", "x") == "spend {1} of x")
        #expect(t("{0}: {1}", "{0}", "{1}") == "{0}: {1}")
        // Braces that are not a placeholder with an argument are left alone.
        #expect(t("{2} {x} {0} {", "a") == "{2} {x} a {")
        #expect(Localizer(.zh)("Cluster {0}", "{0}") == "簇 {0}")
    }

    @Test("numbers that would not fit an Int, and non-finite coordinates, are formatted rather than crashing")
    func extremes() {
        #expect(ReportFormat.magnitude(1.5e19) == "1.5e+19")
        #expect(ReportFormat.magnitude(-12_345.6) == "-12,346")
        #expect(ReportFormat.magnitude(999_999_999_999.4) == "999,999,999,999")
        #expect(ReportFormat.count(-1_234_567) == "-1,234,567" && ReportFormat.count(Int.min) == "-9,223,372,036,854,775,808")
        #expect(SVGDocument.number(.infinity) == "0" && SVGDocument.number(.nan) == "0" && SVGDocument.number(2.345) == "2.35")
    }

    @Test("more than eight groups: the palette goes on in darker shades, all sixteen colours distinct")
    func palette() {
        let colours = (0..<16).map(Palette.colour)
        #expect(Set(colours).count == 16)
        #expect(Palette.colour(8) == "#003E61")  // #0072B2 at 55 %
        #expect(Palette.colour(16) == Palette.colour(0))
    }

    @Test("long labels are cut with an ellipsis to their column; markdown characters in names are escaped")
    func truncationAndMarkdown() {
        #expect(Legend.truncated("short", to: 100, fontSize: 10) == "short")
        let cut = Legend.truncated("mid value · churned · prefers: Sports, Outdoors", to: 120, fontSize: 12)
        #expect(cut.hasSuffix("…") && Legend.textWidth(cut, fontSize: 12) <= 120)
        let markup = Charts.bars(title: "t", labels: [String(repeating: "长", count: 40)], values: [1])
        #expect(markup.contains("…</text>") && wellFormed(markup))
        #expect(Notebook.markdown("sample_customers.csv <b>*x*</b> $5") == "sample\\_customers.csv \\<b\\>\\*x\\*\\</b\\> \\$5")
    }

    @Test("whole-number axes (k) show every value up to about ten, then a nice step")
    func integerTicks() {
        func tickLabels(_ range: ClosedRange<Double>) -> [String] {
            let markup = Charts.lines(title: "s", series: [.init(name: "s", points: [(range.lowerBound, 1), (range.upperBound, 2)])],
                                      xLabel: "k", yLabel: "", xDomain: range, yDomain: 0...3, integerX: true)
            let pattern = try? NSRegularExpression(pattern: "text-anchor=\"middle\" font-size=\"11\" font-weight=\"normal\">([0-9]+)</text>")
            return (pattern?.matches(in: markup, range: NSRange(location: 0, length: (markup as NSString).length)) ?? [])
                .map { (markup as NSString).substring(with: $0.range(at: 1)) }
        }
        #expect(tickLabels(2...10) == ["2", "3", "4", "5", "6", "7", "8", "9", "10"])
        #expect(tickLabels(2...40) == ["5", "10", "15", "20", "25", "30", "35", "40"])
    }
}
