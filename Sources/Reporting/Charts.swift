/// Places legend entries left to right, wrapping to a new row when the next entry would pass
/// the width, so entries never overlap each other or the edge.
public enum Legend {
    public static let swatch = 12.0, gap = 16.0, rowHeight = 18.0

    /// Approximate rendered width of a label: CJK and other wide characters count double.
    public static func textWidth(_ text: String, fontSize: Double) -> Double {
        text.unicodeScalars.reduce(0.0) { $0 + ($1.value >= 0x1100 ? 1.0 : 0.6) } * fontSize
    }

    /// The top-left corner of each entry (swatch then label).
    public static func layout(_ labels: [String], width: Double, fontSize: Double = 12) -> [(x: Double, y: Double)] {
        var x = 0.0, y = 0.0
        return labels.map { label in
            let entry = swatch + 4 + textWidth(label, fontSize: fontSize)
            if x > 0, x + entry > width {
                x = 0
                y += rowHeight
            }
            defer { x += entry + gap }
            return (x, y)
        }
    }
}

/// Charts the reports use, drawn with `SVGDocument`.
public enum Charts {
    /// Horizontal bars, one per label, with a value axis of nice ticks and a legend-free
    /// label column; values must be ≥ 0.
    public static func bars(title: String, labels: [String], values: [Double], width: Double = 560) -> String {
        let labelWidth = min(220, (labels.map { Legend.textWidth($0, fontSize: 12) }.max() ?? 40) + 12)
        let barHeight = 22.0, top = 34.0, bottom = 28.0
        let height = top + Double(labels.count) * barHeight + bottom
        var svg = SVGDocument(width: width, height: height)
        svg.text(title, x: 0, y: 16, size: 14, weight: "bold")
        let largest = max(values.max() ?? 0, 1e-12)
        let scale = LinearScale(domain: 0...largest, range: labelWidth...(width - 16))
        let ticks = scale.ticks(count: 5), tickLabels = scale.tickLabels(count: 5)
        let axisY = top + Double(labels.count) * barHeight
        for (tick, label) in zip(ticks, tickLabels) {
            svg.line(x1: scale(tick), y1: top - 4, x2: scale(tick), y2: axisY, stroke: "#ddd")
            svg.text(label, x: scale(tick), y: axisY + 16, anchor: .middle, size: 11)
        }
        for (i, (label, value)) in zip(labels, values).enumerated() {
            let y = top + Double(i) * barHeight
            svg.text(label, x: labelWidth - 8, y: y + 15, anchor: .end)
            svg.rect(x: scale(0), y: y + 3, width: scale(value) - scale(0), height: barHeight - 6,
                     fill: Palette.colour(i), title: "\(label): \(value)")
        }
        svg.line(x1: scale(0), y1: top - 4, x2: scale(0), y2: axisY)
        return svg.markup
    }
}
