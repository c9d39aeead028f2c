import Foundation
import NumericCore

/// Mutations that know an input's grammar, for targets where flipping bytes mostly makes
/// inputs the first check rejects: JSON models (a flipped byte rarely leaves a loadable
/// model) and tag conditions (generated from the grammar, so most parse and reach the
/// evaluator and its reference). The runner uses them for half of those targets' inputs.
enum StructuredMutations {
    /// A mutation of `input` (with the target's committed seeds at hand), or nil to let the
    /// byte mutations handle this one.
    static func mutator(for target: String) -> ((inout SeededRandom, [UInt8], [[UInt8]]) -> [UInt8]?)? {
        switch target {
        case "model-json": return { random, input, seeds in
            // A byte-mutated base is rarely JSON any more: then start from a committed seed.
            JSONMutation.mutate(input, &random) ?? JSONMutation.mutate(seeds[random.nextIndex(below: seeds.count)], &random)
        }
        case "tag-expression": return { random, _, _ in
            var generator = ConditionGenerator(random: random)
            let text = generator.condition(depth: 0)
            random = generator.random
            return Array(text.utf8)
        }
        default: return nil
        }
    }
}

/// Parses JSON, changes one to three values (numbers to edge values, strings to other strings
/// of the document, elements and keys dropped or repeated, anything to null), writes it back.
enum JSONMutation {
    private enum Path { case key(String), index(Int) }

    static func mutate(_ input: [UInt8], _ random: inout SeededRandom) -> [UInt8]? {
        guard var root = try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed]) else { return nil }
        var strings = [String]()
        var paths = [[Path]]()
        collect(root, [], &paths, &strings)
        for _ in 0..<(random.nextIndex(below: 3) == 0 ? 3 : 1) {
            let path = paths[random.nextIndex(below: paths.count)]
            root = replacing(root, at: path[...]) { value in change(value, &random, strings) }
        }
        // Writing fails for what JSON cannot hold (an overflow to inf): the byte mutations take over.
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.fragmentsAllowed, .sortedKeys]) else { return nil }
        return Array(data)
    }

    private static func collect(_ value: Any, _ path: [Path], _ paths: inout [[Path]], _ strings: inout [String]) {
        paths.append(path)
        if let object = value as? [String: Any] {
            for (key, child) in object.sorted(by: { $0.key < $1.key }) {
                strings.append(key)
                collect(child, path + [.key(key)], &paths, &strings)
            }
        } else if let array = value as? [Any] {
            for (i, child) in array.enumerated() { collect(child, path + [.index(i)], &paths, &strings) }
        } else if let s = value as? String {
            strings.append(s)
        }
    }

    private static func replacing(_ value: Any, at path: ArraySlice<Path>, _ change: (Any) -> Any?) -> Any {
        guard let step = path.first else { return change(value) ?? NSNull() }
        switch step {
        case .key(let key):
            guard var object = value as? [String: Any], let child = object[key] else { return value }
            if path.count == 1 {
                object[key] = change(child)  // nil drops the key
            } else {
                object[key] = replacing(child, at: path.dropFirst(), change)
            }
            return object
        case .index(let i):
            guard var array = value as? [Any], i < array.count else { return value }
            if path.count == 1 {
                if let new = change(array[i]) { array[i] = new } else { array.remove(at: i) }
            } else {
                array[i] = replacing(array[i], at: path.dropFirst(), change)
            }
            return array
        }
    }

    /// A new value for `value`, or nil to drop it from its container.
    private static func change(_ value: Any, _ random: inout SeededRandom, _ strings: [String]) -> Any? {
        let numbers: [Any] = [0, -0.0, 1, -1, 2, 0.5, 1e308, -1e308, 5e-324, 9_007_199_254_740_993, Int.max, Int.min,
                              "nan", "inf", "-inf"]
        switch random.nextIndex(below: 10) {
        case 0: return nil
        case 1: return NSNull()
        case 2: return numbers[random.nextIndex(below: numbers.count)]
        case 3: return strings.isEmpty ? "" : strings[random.nextIndex(below: strings.count)]
        default: break
        }
        if let array = value as? [Any] {
            switch random.nextIndex(below: 4) {
            case 0: return []
            case 1: return array.isEmpty ? array : array + [array[random.nextIndex(below: array.count)]]
            case 2: return Array(array.reversed())
            default: return array.isEmpty ? array : Array(array.dropLast())
            }
        }
        if let object = value as? [String: Any] {
            guard !object.isEmpty else { return object }
            var copy = object
            let keys = object.keys.sorted()
            copy[keys[random.nextIndex(below: keys.count)]] = nil
            return copy
        }
        if let number = value as? NSNumber, !(value is Bool) {
            let x = number.doubleValue
            let options: [Any] = [x + 1, x - 1, -x, x * 2, x / 2, Int(x.isFinite ? max(min(x, 1e15), -1e15) : 0)] + numbers
            return options[random.nextIndex(below: options.count)]
        }
        if let flag = value as? Bool { return !flag }
        let texts = ["", "x", " ", "a,b", "\"q\"", "北京", "nan", "NA", "Yes"] + strings
        return texts[random.nextIndex(below: texts.count)]
    }
}

/// Random conditions from the tag grammar over the columns of `TagExpressionTarget`'s
/// table, with numbers mostly against numeric columns and strings against text ones (so many
/// evaluate), and now and then the other way round.
struct ConditionGenerator {
    var random: SeededRandom

    private static let numeric = ["x", "y", "churned", "empty", "`x`"]
    private static let text = ["城市", "flag", "note", "id", "`城市`"]
    private static let numbers = ["0", "1", "2.5", "3", "1e3", "50000", "0.1", "-1", "1e308"]
    private static let strings = ["\"北京\"", "\"上海\"", "\"hello\"", "\"\"", "\"say \\\"hi\\\"\"", "\"Yes\"", "\"h\""]
    private static let comparisons = ["==", "!=", "<", "<=", ">", ">="]

    private mutating func pick(_ items: [String]) -> String { items[random.nextIndex(below: items.count)] }
    private mutating func chance(_ n: Int) -> Bool { random.nextIndex(below: n) == 0 }

    mutating func condition(depth: Int) -> String {
        let leaf = depth > 6 || chance(3)
        switch leaf ? random.nextIndex(below: 6) : 6 + random.nextIndex(below: 4) {
        case 0: return "\(sum(depth: depth + 1)) \(pick(Self.comparisons)) \(sum(depth: depth + 1))"
        case 1:
            let column = pick(Self.text)
            return "\(column) \(pick(Self.comparisons)) \(chance(8) ? pick(Self.numbers) : pick(Self.strings))"
        case 2:
            let numeric = chance(2)
            let column = numeric ? pick(Self.numeric) : pick(Self.text)
            let items = (0..<random.nextIndex(below: 4)).map { _ in numeric != chance(8) ? pick(Self.numbers) : pick(Self.strings) }
            return "\(column) in [\(items.joined(separator: ", "))]"
        case 3: return "\(pick(Self.numeric + Self.text)) is \(chance(2) ? "not " : "")missing"
        case 4: return "\(chance(8) ? pick(Self.numeric) : pick(Self.text)) contains \(pick(Self.strings))"
        case 5: return chance(2) ? "flag" : pick(["churned", "x", "empty"])
        case 6: return "not \(condition(depth: depth + 1))"
        case 7: return "(\(condition(depth: depth + 1)))"
        case 8: return (0...random.nextIndex(below: 3)).map { _ in condition(depth: depth + 1) }.joined(separator: " and ")
        default: return (0...random.nextIndex(below: 3)).map { _ in condition(depth: depth + 1) }.joined(separator: " or ")
        }
    }

    private mutating func sum(depth: Int) -> String {
        let leaf = depth > 6 || chance(2)
        if leaf { return chance(3) ? pick(Self.numbers) : pick(Self.numeric) }
        switch random.nextIndex(below: 4) {
        case 0: return "-\(sum(depth: depth + 1))"
        case 1: return "(\(sum(depth: depth + 1)))"
        case 2: return "\(sum(depth: depth + 1)) \(pick(["+", "-"])) \(sum(depth: depth + 1))"
        default: return "\(sum(depth: depth + 1)) \(pick(["*", "/"])) \(sum(depth: depth + 1))"
        }
    }
}
