/// What a report says, independent of how it is shown: the HTML report and the notebook are
/// both rendered from one `ReportDocument`, so they cannot disagree.
public struct ReportDocument: Sendable {
    /// A number with its label. `key` and `value` are written into the HTML (`data-key`,
    /// `data-value`) so a test can compare the report with the model files exactly.
    public struct Stat: Sendable {
        public let label: String
        public let text: String
        public let key: String?
        public let value: Double?

        public init(_ label: String, _ text: String, key: String? = nil, value: Double? = nil) {
            self.label = label
            self.text = text
            self.key = key
            self.value = value
        }
    }

    public struct Cell: Sendable {
        public let text: String
        public let key: String?
        public let value: Double?
        public let numeric: Bool

        public init(_ text: String, key: String? = nil, value: Double? = nil, numeric: Bool = false) {
            self.text = text
            self.key = key
            self.value = value
            self.numeric = numeric || value != nil
        }
    }

    public struct Table: Sendable {
        public let header: [String]
        public let rows: [[Cell]]
    }

    /// A persona (or cluster) at a glance.
    public struct Card: Sendable {
        public let title: String
        public let colour: String
        public let stats: [Stat]
        public let lines: [String]
    }

    public enum Block: Sendable {
        case figure(svg: String, caption: String)
        case table(Table)
        case cards([Card])
        case text(String)
    }

    public struct Section: Sendable {
        public let title: String
        public let intro: String
        public let blocks: [Block]
        /// Python (pandas) for the notebook: recomputes or reloads what the section shows.
        public let code: String?
    }

    public let language: Language
    public let title: String
    public let subtitle: String
    public let headline: [Stat]
    public let sections: [Section]
    /// Python run first in the notebook: imports and loading the run's output files.
    public let setupCode: String
}
