/// A small SVG writer: shapes and text with every label escaped, so customer data such as
/// `Home & Garden` or `<VIP>` can never break the markup. Output is self-contained (no scripts,
/// no external fonts) and opens offline.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Text for element content and attribute values: `& < > " '` escaped, Unicode kept.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Coordinates with at most two decimals; a non-finite one (a caller's bug) becomes 0
    /// rather than a crash or an attribute the browser rejects.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let rounded = (x * 100).rounded() / 100
        guard abs(rounded) < 1e15 else { return String(format: "%.0f", rounded) }
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// `cssClass: "mark"` tags a data mark (bar, point, cell, curve): the browser check counts them.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
                              title: String? = nil, cssClass: String? = nil) {
        var shape = "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(0, width)))\" height=\"\(Self.number(max(0, height)))\" fill=\"\(Self.escape(fill))\""
        if let stroke { shape += " stroke=\"\(Self.escape(stroke))\"" }
        shape += Self.classAttribute(cssClass)
        body.append(title.map { shape + "><title>\(Self.escape($0))</title></rect>" } ?? shape + "/>")
    }

    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, opacity: Double = 1, title: String? = nil,
                                cssClass: String? = nil) {
        var shape = "<circle cx=\"\(Self.number(cx))\" cy=\"\(Self.number(cy))\" r=\"\(Self.number(r))\" fill=\"\(Self.escape(fill))\""
        if opacity < 1 { shape += " fill-opacity=\"\(Self.number(opacity))\"" }
        shape += Self.classAttribute(cssClass)
        body.append(title.map { shape + "><title>\(Self.escape($0))</title></circle>" } ?? shape + "/>")
    }

    /// An open path through the points, in order.
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 2, dashed: Bool = false,
                                  cssClass: String? = nil) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        body.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(Self.escape(stroke))\" stroke-width=\"\(Self.number(width))\""
                    + (dashed ? " stroke-dasharray=\"4 3\"" : "") + Self.classAttribute(cssClass) + "/>")
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String = "#444", width: Double = 1,
                              dashed: Bool = false) {
        body.append("<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" stroke=\"\(Self.escape(stroke))\" stroke-width=\"\(Self.number(width))\""
                    + (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>")
    }

    private static func classAttribute(_ name: String?) -> String {
        name.map { " class=\"\(escape($0))\"" } ?? ""
    }

    public enum Anchor: String, Sendable { case start, middle, end }

    public mutating func text(_ text: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12, weight: String = "normal",
                              fill: String? = nil, rotated: Bool = false) {
        let colour = fill.map { " fill=\"\(Self.escape($0))\"" } ?? ""
        let rotation = rotated ? " transform=\"rotate(-90 \(Self.number(x)) \(Self.number(y)))\"" : ""
        body.append("<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" text-anchor=\"\(anchor.rawValue)\" font-size=\"\(Self.number(size))\" font-weight=\"\(weight)\"\(colour)\(rotation)>\(Self.escape(text))</text>")
    }

    /// The finished SVG element.
    public var markup: String {
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" font-family=\"sans-serif\">"
            + body.joined() + "</svg>"
    }
}

/// The Okabe–Ito palette: eight colours told apart with any common colour-vision deficiency.
public enum Palette {
    public static let colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

    /// Colour `index`; past the eighth, the same eight again in a darker shade (more than
    /// eight groups cannot all be told apart by colour alone).
    public static func colour(_ index: Int) -> String {
        let base = colours[((index % colours.count) + colours.count) % colours.count]
        guard index >= colours.count, (index / colours.count) % 2 == 1 else { return base }
        if base == "#000000" { return "#8C8C8C" }  // black has no darker shade: mid grey
        let channels = stride(from: 1, to: 7, by: 2).map { offset -> Int in
            let start = base.index(base.startIndex, offsetBy: offset)
            return Int(base[start..<base.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
        return "#" + channels.map { String(format: "%02X", $0 * 55 / 100) }.joined()
    }
}
