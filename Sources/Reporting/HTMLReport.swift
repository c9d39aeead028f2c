/// Renders a `ReportDocument` as one self-contained HTML file: inline CSS and SVG, no
/// scripts, no fonts or images fetched from anywhere, so it opens offline and prints.
public enum HTMLReport {
    static let style = """
        :root { color-scheme: light; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
               color: #222; background: #fff; margin: 0; line-height: 1.45; }
        main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
        h1 { font-size: 26px; margin: 0 0 4px; }
        h2 { font-size: 19px; margin: 36px 0 6px; padding-top: 10px; border-top: 1px solid #e4e4e4; }
        .subtitle, .intro, figcaption { color: #555; }
        .intro { max-width: 820px; margin: 4px 0 14px; }
        .headline { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; margin: 20px 0 8px; }
        .stat { border: 1px solid #e4e4e4; border-radius: 8px; padding: 10px 14px; }
        .stat .v { font-size: 24px; font-weight: 700; font-variant-numeric: tabular-nums; }
        .stat .l { font-size: 13px; color: #555; }
        figure { margin: 12px 0 20px; break-inside: avoid; }
        figure svg { max-width: 100%; height: auto; }
        figcaption { font-size: 13px; margin-top: 4px; max-width: 820px; }
        .figures { display: flex; flex-wrap: wrap; gap: 8px 28px; }
        .figures figure { width: min-content; }
        .figures figure svg { max-width: none; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0 20px; break-inside: avoid; }
        th, td { padding: 4px 10px; border-bottom: 1px solid #e4e4e4; text-align: left; }
        th { background: #f6f6f6; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 14px; margin: 10px 0 20px; }
        .card { border: 1px solid #ddd; border-top: 6px solid var(--c); border-radius: 8px; padding: 12px 14px; break-inside: avoid; }
        .card h3 { font-size: 15px; margin: 0 0 8px; }
        .card .stats { display: flex; gap: 16px; margin-bottom: 8px; }
        .card .stats div { font-size: 12px; color: #555; }
        .card .stats b { display: block; font-size: 18px; color: #222; }
        .card ul { margin: 0; padding-left: 18px; font-size: 13px; }
        footer { margin-top: 40px; font-size: 12px; color: #777; }
        @media print { main { padding: 0; } h2 { break-after: avoid; } }
        """

    public static func render(_ document: ReportDocument) -> String {
        let e = SVGDocument.escape
        var html = "<!DOCTYPE html>\n<html lang=\"\(document.language.htmlCode)\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(e(document.title))</title>\n<style>\n\(style)\n</style>\n</head>\n<body>\n<main>\n"
        html += "<h1>\(e(document.title))</h1>\n<p class=\"subtitle\">\(e(document.subtitle))</p>\n"
        html += "<section class=\"headline\">\n" + document.headline.map(stat).joined() + "</section>\n"
        for section in document.sections {
            html += "<section>\n<h2>\(e(section.title))</h2>\n"
            if !section.intro.isEmpty { html += "<p class=\"intro\">\(e(section.intro))</p>\n" }
            html += blocks(section.blocks)
            html += "</section>\n"
        }
        html += "<footer>\(e(Localizer(document.language)("Made by Persona from this run's results, the same numbers its output files hold; nothing here was fetched from the network.")))</footer>\n"
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    static func stat(_ stat: ReportDocument.Stat) -> String {
        let e = SVGDocument.escape
        return "<div class=\"stat\"><div class=\"v\"\(dataAttributes(stat.key, stat.value))>\(e(stat.text))</div>"
            + "<div class=\"l\">\(e(stat.label))</div></div>\n"
    }

    /// `data-key`/`data-value` with the shortest text that reads back as the same Double.
    static func dataAttributes(_ key: String?, _ value: Double?) -> String {
        guard let key, let value else { return "" }
        return " data-key=\"\(SVGDocument.escape(key))\" data-value=\"\(value.description)\""
    }

    /// Blocks in order; consecutive figures share a row when they fit side by side.
    static func blocks(_ blocks: [ReportDocument.Block]) -> String {
        var html = ""
        var figures = [String]()
        func flush() {
            guard !figures.isEmpty else { return }
            html += figures.count > 1 ? "<div class=\"figures\">\n" + figures.joined() + "</div>\n" : figures.joined()
            figures = []
        }
        for block in blocks {
            if case .figure = block {
                figures.append(fragment(block))
                continue
            }
            flush()
            html += fragment(block)
        }
        flush()
        return html
    }

    /// One block as HTML (also the `text/html` output of a notebook cell).
    static func fragment(_ block: ReportDocument.Block) -> String {
        let e = SVGDocument.escape
        switch block {
        case let .figure(svg, caption):
            return "<figure>\n\(svg)\n" + (caption.isEmpty ? "" : "<figcaption>\(e(caption))</figcaption>\n") + "</figure>\n"
        case .text(let text):
            return "<p>\(e(text))</p>\n"
        case .table(let table):
            var html = "<table>\n<thead><tr>" + table.header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for row in table.rows {
                html += "<tr>" + row.map { cell in
                    "<td\(cell.numeric ? " class=\"n\"" : "")\(dataAttributes(cell.key, cell.value))>\(e(cell.text))</td>"
                }.joined() + "</tr>\n"
            }
            return html + "</tbody>\n</table>\n"
        case .cards(let cards):
            var html = "<div class=\"cards\">\n"
            for card in cards {
                html += "<article class=\"card\" style=\"--c: \(e(card.colour))\">\n<h3>\(e(card.title))</h3>\n<div class=\"stats\">"
                html += card.stats.map { "<div><b\(dataAttributes($0.key, $0.value))>\(e($0.text))</b>\(e($0.label))</div>" }.joined()
                html += "</div>\n<ul>" + card.lines.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n</article>\n"
            }
            return html + "</div>\n"
        }
    }
}
