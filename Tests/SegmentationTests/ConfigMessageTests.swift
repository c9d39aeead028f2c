import Testing
@testable import Segmentation

/// Segment configs and rules files: every problem is found when the file is read, and placed
/// at its line and column (1-based, as libYAML counts them).
@Suite("Config and rules files: problems at their line and column")
struct ConfigMessageTests {
    static let configs: [(yaml: String, line: Int, column: Int, problem: String)] = [
        ("seed: 1\nmin_share: .nan\n", 2, 1, "min_share must be a share of customers in [0, 0.5), e.g. 0.01 for 1 %; got nan"),
        ("behavior:\n  active_gaps: nan\n", 2, 3, "behavior.active_gaps must be a finite number >= 0; got nan"),
        // Switched off, the thresholds are still saved in the model: a NaN there is refused too.
        ("lifecycle:\n  enabled: false\n  new_days: .nan\n", 3, 3, "lifecycle.new_days must be a finite number; got nan"),
        ("lifecycle:\n  growth_trend: -.inf\n", 2, 3, "lifecycle.growth_trend must be a finite number; got -inf"),
        ("seed: .nan\n", 1, 1, "'seed' must be a whole number >= 0; got .nan"),
        ("persona:\n  k_range: [2, .nan]\n", 2, 16, "'persona.k_range[1]' must be a whole number; got .nan"),
        ("persona: {k: 201}\n", 1, 11, "persona.k must be between 1 and 50; got 201"),
        ("lifecycle:\n  new_day: 3\n", 2, 3,
         "unknown key 'lifecycle.new_day' (did you mean 'new_days'?); known keys in lifecycle are churn_days, decline_trend, declining_tiers, enabled, gap, growing_days, growth_trend, new_days, tenure, trend, vip_tier"),
        ("tags:\n  - name: big\n    when: monetary > 5\n    colour: red\n", 4, 5, "rule 'big': unknown key 'colour'; its keys are name, when"),
        ("tags:\n  - name: big\n    whn: monetary > 5\n", 3, 5, "rule 'big': unknown key 'whn' (did you mean 'when'?); its keys are name, when"),
        ("tags:\n  - when: monetary > 5\n", 2, 5, "rule 1 has no 'name'"),
        ("min_share: 0.01\nseed: 2\nmin_share: 0.02\n", 1, 1, "'min_share' appears more than once in this section; keep one"),
        ("tags:\n  - name: x\n    when: \"monetary > 5\n", 4, 1,
         "not valid YAML: found unexpected end of stream while scanning a quoted scalar (which starts at 3:11)"),
        ("- value\n", 1, 1, "the file must be a section of 'key: value' lines; got a list"),
        // libYAML stops past its nesting limit (placed where the list starts); its message names a C
        // function, ours says what it means.
        ("x: " + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000) + "\n", 1, 5,
         "not valid YAML here: lists and sections nest too deep (a config nests a few levels)"),
        ("value: {tiers: [a, b]}\nlifecycle:\n  new_days: 30\n", 2, 1, "lifecycle.vip_tier 'high' is not one of the value tiers a, b"),
    ]

    @Test("segment configs", arguments: configs.indices)
    func config(index: Int) {
        let item = Self.configs[index]
        #expect(throws: TagRuleError.at(file: "c.yaml", line: item.line, column: item.column, problem: item.problem)) {
            try SegmentConfig.parse(item.yaml, file: "c.yaml")
        }
    }

    @Test("an empty config is refused rather than read as the defaults")
    func emptyConfig() {
        #expect(throws: TagRuleError.file(file: "c.yaml", problem: "the config holds no settings (it is empty or all comments); leave it out to use the defaults")) {
            try SegmentConfig.parse("# value:\n", file: "c.yaml")
        }
        #expect(TagRuleError.at(file: "c.yaml", line: 3, column: 5, problem: "p").description == "c.yaml:3:5: p")
    }

    @Test("rules files")
    func rulesFiles() {
        #expect(throws: TagRuleError.at(file: "r.yaml", line: 1, column: 1, problem: "unknown key 'tag' (did you mean 'tags'?); known keys are tags")) {
            try TagRules.parse("tag:\n  - name: x\n    when: monetary > 1\n", file: "r.yaml")
        }
        #expect(throws: TagRuleError.at(file: "r.yaml", line: 4, column: 5, problem: "rule 'x': unknown key 'colour'; its keys are name, when")) {
            try TagRules.parse("tags:\n  - name: x\n    when: monetary > 1\n    colour: red\n", file: "r.yaml")
        }
        #expect(throws: TagRuleError.at(file: "r.yaml", line: 3, column: 5, problem: "'when' appears more than once in this section; keep one")) {
            try TagRules.parse("tags:\n  - name: x\n    when: monetary > 1\n    when: monetary > 2\n", file: "r.yaml")
        }
        #expect(throws: TagRuleError.at(file: "r.yaml", line: 1, column: 1, problem: "'tags' must be a list; got 5")) {
            try TagRules.parse("tags: 5\n", file: "r.yaml")
        }
    }

    @Test("did-you-mean only for likely typos")
    func suggestions() {
        #expect(closest(to: "whn", among: ["name", "when"]) == "when")
        #expect(closest(to: "colour", among: ["name", "when"]) == nil)
        #expect(closest(to: "Tag", among: ["tags"]) == "tags")
        #expect(closest(to: "k", among: ["k_range", "criterion"]) == nil)
    }
}
