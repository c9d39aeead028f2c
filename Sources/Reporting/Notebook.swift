import Foundation

/// Writes a `ReportDocument` as a Jupyter notebook (nbformat 4.5): a markdown cell per step,
/// and code cells in Python/pandas that reload the run's outputs, with the report's figures
/// (SVG) and tables (HTML) attached as outputs that show before any kernel has run.
public enum Notebook {
    struct File: Encodable {
        let cells: [Cell]
        let metadata: Metadata
        let nbformat = 4
        let nbformat_minor = 5
    }

    struct Metadata: Encodable {
        struct Kernel: Encodable {
            let display_name = "Python 3"
            let language = "python"
            let name = "python3"
        }
        struct LanguageInfo: Encodable { let name = "python" }
        let kernelspec = Kernel()
        let language_info = LanguageInfo()
        let persona: [String: String]
    }

    struct Output: Encodable {
        let output_type = "display_data"
        let data: [String: [String]]
        let metadata: [String: String] = [:]
    }

    struct Cell: Encodable {
        let id: String
        let cellType: String
        let source: [String]
        let outputs: [Output]?

        enum CodingKeys: String, CodingKey { case id, cell_type, source, metadata, outputs, execution_count }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(cellType, forKey: .cell_type)
            try container.encode(source, forKey: .source)
            try container.encode([String: String](), forKey: .metadata)
            if let outputs {
                try container.encode(outputs, forKey: .outputs)
                try container.encodeNil(forKey: .execution_count)
            }
        }
    }

    /// Jupyter's multi-line strings: a list of lines, each but the last ending in "\n".
    static func lines(_ text: String) -> [String] {
        let parts = text.components(separatedBy: "\n")
        return parts.enumerated().map { $0.offset < parts.count - 1 ? $0.element + "\n" : $0.element }.filter { !$0.isEmpty }
    }

    /// Text shown literally in a markdown cell: file, column and tier names may hold `*`, `_`,
    /// `<` and the like, which markdown would otherwise read as formatting or HTML.
    static func markdown(_ text: String) -> String {
        var out = ""
        for ch in text {
            if "\\`*_[]<>#|~$".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    public static func render(_ document: ReportDocument) throws -> [UInt8] {
        var cells = [Cell]()
        func add(_ type: String, _ source: String, outputs: [Output]? = nil) {
            cells.append(Cell(id: "cell-\(cells.count)", cellType: type, source: lines(source), outputs: type == "code" ? (outputs ?? []) : nil))
        }
        let t = Localizer(document.language)
        let md = markdown
        var intro = "# \(md(document.title))\n\n\(md(document.subtitle))\n\n"
        intro += document.headline.map { "- **\(md($0.label))**: \(md($0.text))" }.joined(separator: "\n")
        intro += "\n\n" + t("The figures and tables below were rendered by Persona when it wrote this notebook; run the code cells to reload the same output files with pandas and carry on from there.")
        add("markdown", intro)
        add("code", document.setupCode)
        for section in document.sections {
            add("markdown", "## \(md(section.title))\n\n\(md(section.intro))")
            let outputs = section.blocks.map { block -> Output in
                switch block {
                case let .figure(svg, caption):
                    return Output(data: ["image/svg+xml": lines(svg), "text/plain": [caption.isEmpty ? section.title : caption]])
                default:
                    return Output(data: ["text/html": lines(HTMLReport.fragment(block)), "text/plain": [section.title]])
                }
            }
            // The outputs are Persona's, not this code's: say so where a reader looks, since running
            // the cell replaces them.
            let note = outputs.isEmpty ? "" : "# " + t("Output below: the report's figures and tables, drawn by Persona. Running this cell replaces them with what this code computes from the same files.") + "\n"
            add("code", note + (section.code ?? "# " + t("This section is drawn from the files loaded above.")), outputs: outputs)
        }
        let file = File(cells: cells, metadata: Metadata(persona: ["language": document.language.rawValue]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(file)) + [0x0A]
    }
}
