/// Tokens of the condition language, each with the character position where it starts.
struct TagToken: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case text(String)
        case name(String)
        case keyword(String)
        case symbol(String)
        case end
    }
    let kind: Kind
    let position: Int
}

enum TagLexer {
    static let keywords: Set<String> = ["and", "or", "not", "in", "is", "missing", "contains"]

    static func tokens(_ source: String) throws(TagSyntaxError) -> [TagToken] {
        let chars = Array(source)
        var tokens = [TagToken]()
        var i = 0
        func isNameCharacter(_ c: Character) -> Bool {
            c.isLetter || c.isNumber || c == "_" || c == ":" || (!c.isASCII && !c.isWhitespace && !c.isPunctuation)
        }
        /// A name (or keyword) starting at `start`; returns where it ends.
        func readName(from start: Int, position: Int) -> Int {
            var end = start
            while end < chars.count, isNameCharacter(chars[end]) { end += 1 }
            let word = String(chars[start..<end])
            tokens.append(TagToken(kind: keywords.contains(word) ? .keyword(word) : .name(word), position: position))
            return end
        }
        while i < chars.count {
            let c = chars[i]
            let position = i + 1
            if c.isWhitespace { i += 1; continue }
            if c == "\"" || c == "`" {
                var value = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if c == "\"", chars[i] == "\\", i + 1 < chars.count { value.append(chars[i + 1]); i += 2; continue }
                    if chars[i] == c { closed = true; i += 1; break }
                    value.append(chars[i])
                    i += 1
                }
                guard closed else {
                    throw TagSyntaxError(position: position, message: c == "\"" ? "a string is never closed with \"" : "a `name` is never closed with `")
                }
                tokens.append(TagToken(kind: c == "\"" ? .text(value) : .name(value), position: position))
                continue
            }
            // A number: digits[.digits][e[+-]digits]. Digits followed by letters are a name
            // instead (`30d_spend`). A leading `-` is a symbol: the parser folds `-5` into a
            // negative number, and `a -5` is a subtraction.
            if c.isASCII && c.isNumber {
                var j = i
                func digits() { while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 } }
                digits()
                if j < chars.count, chars[j] == "." { j += 1; digits() }
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
                    if k < chars.count, chars[k].isASCII, chars[k].isNumber { j = k; digits() }
                }
                if j < chars.count, isNameCharacter(chars[j]), !(chars[j].isASCII && chars[j].isNumber) {
                    i = readName(from: i, position: position)
                    continue
                }
                let text = String(chars[i..<j])
                guard let value = Double(text), value.isFinite else {
                    throw TagSyntaxError(position: position, message: "\(text) is not a number")
                }
                tokens.append(TagToken(kind: .number(value), position: position))
                i = j
                continue
            }
            if isNameCharacter(c), !c.isNumber || !c.isASCII {
                i = readName(from: i, position: position)
                continue
            }
            let two = i + 1 < chars.count ? String(chars[i...(i + 1)]) : ""
            if ["==", "!=", "<=", ">="].contains(two) {
                tokens.append(TagToken(kind: .symbol(two), position: position))
                i += 2
                continue
            }
            if "<>()[],+-*/".contains(c) {
                tokens.append(TagToken(kind: .symbol(String(c)), position: position))
                i += 1
                continue
            }
            if c == "=" {
                throw TagSyntaxError(position: position, message: "use == to compare, not =")
            }
            throw TagSyntaxError(position: position, message: "unexpected character '\(c)'")
        }
        tokens.append(TagToken(kind: .end, position: chars.count + 1))
        return tokens
    }
}

