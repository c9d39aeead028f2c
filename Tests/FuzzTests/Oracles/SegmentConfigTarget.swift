@testable import Segmentation

/// persona.yaml (`SegmentConfig.read`, as `persona segment --config` reads it).
///
/// Properties:
/// - reading fails only with `TagRuleError` (the config's file error), and nothing traps;
/// - a config that reads is written by `yaml()` (what `--print-config` prints) as text that
///   reads back to an equal config, as `yaml()` promises.
enum SegmentConfigTarget: FuzzTarget {
    static let name = "config"
    static let maxLength = 8192

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard let config = try read(input) else { return }
        let printed = config.yaml()
        let again: SegmentConfig?
        do {
            again = try read(Array(printed.utf8))
        } catch {
            throw PropertyViolation("config \(shown(input)) prints as\n\(printed)\nwhich does not read back: \(error)")
        }
        guard let again else {
            throw PropertyViolation("config \(shown(input)) prints as\n\(printed)\nwhich reads back as an error: \(readError(Array(printed.utf8)))")
        }
        FuzzStats.accepted(name, "configs")
        try require(again == config, "config \(shown(input)) prints as\n\(printed)\nwhich reads back as \(again), not \(config)")
    }

    /// The config, or nil for a config error.
    static func read(_ bytes: [UInt8]) throws(PropertyViolation) -> SegmentConfig? {
        try ScratchFile.with(bytes, suffix: ".yaml") { path throws(PropertyViolation) in
            do {
                return try SegmentConfig.read(path: path)
            } catch is TagRuleError {
                return nil
            } catch {
                throw unexpected(error, from: "SegmentConfig.read")
            }
        }
    }

    static func readError(_ bytes: [UInt8]) -> String {
        (try? ScratchFile.with(bytes, suffix: ".yaml") { path in
            do {
                _ = try SegmentConfig.read(path: path)
                return "none"
            } catch {
                return "\(error)"
            }
        }) ?? "?"
    }
}
