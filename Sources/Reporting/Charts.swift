import Foundation

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

    /// `text` cut to fit `width` (by `textWidth`), ending in "…" when cut.
    public static func truncated(_ text: String, to width: Double, fontSize: Double) -> String {
        guard textWidth(text, fontSize: fontSize) > width else { return text }
        var kept = ""
        for ch in text {
            if textWidth(kept + String(ch) + "…", fontSize: fontSize) > width { break }
            kept.append(ch)
        }
        return kept + "…"
    }

    /// The height the entries take when laid out in `width`.
    public static func height(_ labels: [String], width: Double) -> Double {
        (layout(labels, width: width).last?.y ?? -rowHeight) + rowHeight
    }

    /// Draws the entries with their palette colours, top-left at (`x`, `y`).
    static func draw(_ labels: [String], colours: [String], into svg: inout SVGDocument, x: Double, y: Double, width: Double) {
        for (i, (label, place)) in zip(labels, layout(labels, width: width)).enumerated() {
            svg.rect(x: x + place.x, y: y + place.y + 2, width: swatch, height: swatch, fill: colours[i])
            svg.text(label, x: x + place.x + swatch + 4, y: y + place.y + 12)
        }
    }
}

/// A plotting area inside an SVG: margins, a title, scales for x and y, and axes with nice
/// ticks, grid lines and axis titles.
struct PlotFrame {
    let width: Double, height: Double
    let left: Double, right: Double, top: Double, bottom: Double
    let x: LinearScale, y: LinearScale

    init(width: Double, height: Double, left: Double = 56, right: Double = 16, top: Double = 34, bottom: Double = 44,
         xDomain: ClosedRange<Double>, yDomain: ClosedRange<Double>) {
        self.width = width
        self.height = height
        self.left = left
        self.right = right
        self.top = top
        self.bottom = bottom
        x = LinearScale(domain: xDomain, range: left...(width - right))
        y = LinearScale(domain: yDomain, range: top...(height - bottom), reversed: true)
    }

    /// Axes at the bottom and left; `xTicks`/`yTicks` replace the nice ticks (value, label).
    func axes(_ svg: inout SVGDocument, xLabel: String, yLabel: String,
              xTicks: [(Double, String)]? = nil, yTicks: [(Double, String)]? = nil) {
        let bottomY = height - bottom
        for (value, label) in xTicks ?? Array(zip(x.ticks(count: 6), x.tickLabels(count: 6))) {
            svg.line(x1: x(value), y1: top, x2: x(value), y2: bottomY, stroke: "#e4e4e4")
            svg.text(label, x: x(value), y: bottomY + 15, anchor: .middle, size: 11)
        }
        for (value, label) in yTicks ?? Array(zip(y.ticks(count: 5), y.tickLabels(count: 5))) {
            svg.line(x1: left, y1: y(value), x2: width - right, y2: y(value), stroke: "#e4e4e4")
            svg.text(label, x: left - 6, y: y(value) + 4, anchor: .end, size: 11)
        }
        svg.line(x1: left, y1: bottomY, x2: width - right, y2: bottomY)
        svg.line(x1: left, y1: top, x2: left, y2: bottomY)
        svg.text(xLabel, x: (left + width - right) / 2, y: height - 8, anchor: .middle, size: 12)
        svg.text(yLabel, x: 14, y: (top + bottomY) / 2, anchor: .middle, size: 12, rotated: true)
    }
}

/// Colour ramps for heatmaps, from white to Okabe–Ito blue (sequential) or from blue
/// through white to vermillion (diverging); both read in grey scale and with colour-blindness.
enum Ramp {
    static func mix(_ a: (Double, Double, Double), _ b: (Double, Double, Double), _ t: Double) -> String {
        let t = min(1, max(0, t))
        let channels = [a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, a.2 + (b.2 - a.2) * t]
        return "#" + channels.map { String(format: "%02X", Int($0.rounded())) }.joined()
    }
    static let white = (255.0, 255.0, 255.0), blue = (0.0, 114.0, 178.0), vermillion = (213.0, 94.0, 0.0)

    /// `t` in 0...1.
    static func sequential(_ t: Double) -> String { mix(white, blue, t) }

    /// `t` in −1...1: negative blue, positive vermillion.
    static func diverging(_ t: Double) -> String { t < 0 ? mix(white, blue, -t) : mix(white, vermillion, t) }

    /// Text on a cell of this strength reads better in white.
    static func textColour(_ strength: Double) -> String { abs(strength) > 0.55 ? "#fff" : "#222" }
}

/// Charts the reports use, drawn with `SVGDocument`. Every data mark carries `class="mark"`.
public enum Charts {
    /// Horizontal bars, one per label, with a value axis of nice ticks; values must be ≥ 0.
    /// `valueLabels` are written at the end of each bar.
    public static func bars(title: String, labels: [String], values: [Double], valueLabels: [String]? = nil,
                            colours: [String]? = nil, width: Double = 640) -> String {
        // Long names (personas) may take up to 55% of the width before they are cut.
        let labelWidth = min(width * 0.55, (labels.map { Legend.textWidth($0, fontSize: 12) }.max() ?? 40) + 12)
        let valueWidth = (valueLabels?.map { Legend.textWidth($0, fontSize: 11) }.max() ?? 0) + 10
        let barHeight = 22.0, top = 34.0, bottom = 28.0
        let height = top + Double(labels.count) * barHeight + bottom
        var svg = SVGDocument(width: width, height: height)
        svg.text(title, x: 0, y: 16, size: 14, weight: "bold")
        let largest = max(values.max() ?? 0, 1e-12)
        let scale = LinearScale(domain: 0...largest, range: labelWidth...(width - 16 - valueWidth))
        let axisY = top + Double(labels.count) * barHeight
        for (tick, label) in zip(scale.ticks(count: 5), scale.tickLabels(count: 5)) {
            svg.line(x1: scale(tick), y1: top - 4, x2: scale(tick), y2: axisY, stroke: "#ddd")
            svg.text(label, x: scale(tick), y: axisY + 16, anchor: .middle, size: 11)
        }
        for (i, (label, value)) in zip(labels, values).enumerated() {
            let y = top + Double(i) * barHeight
            svg.text(Legend.truncated(label, to: labelWidth - 10, fontSize: 12), x: labelWidth - 8, y: y + 15, anchor: .end)
            svg.rect(x: scale(0), y: y + 3, width: scale(value) - scale(0), height: barHeight - 6,
                     fill: colours?[i] ?? Palette.colour(i), title: "\(label): \(valueLabels?[i] ?? "\(value)")", cssClass: "mark")
            if let valueLabels { svg.text(valueLabels[i], x: scale(value) + 4, y: y + 15, size: 11) }
        }
        svg.line(x1: scale(0), y1: top - 4, x2: scale(0), y2: axisY)
        return svg.markup
    }

    /// A grid of coloured cells with text. `strength` is 0...1 (sequential) or −1...1
    /// (`diverging`); `cellText` holds one or two lines per cell (split on "\n").
    public static func heatmap(title: String, rowLabels: [String], columnLabels: [String], strength: [[Double]],
                               cellText: [[String]], diverging: Bool, rowTitle: String = "", columnTitle: String = "",
                               cellWidth: Double = 96, cellHeight: Double = 40) -> String {
        let labelWidth = min(280, (rowLabels.map { Legend.textWidth($0, fontSize: 12) }.max() ?? 40) + 14)
        let longestColumn = columnLabels.map { Legend.textWidth($0, fontSize: 11) }.max() ?? 0
        let rotate = longestColumn > cellWidth - 6
        let header = rotate ? min(160, longestColumn + 12) : 22.0
        let top = 30.0 + (columnTitle.isEmpty ? 0 : 16) + header
        let width = max(320, labelWidth + Double(columnLabels.count) * cellWidth + 16)
        let height = top + Double(rowLabels.count) * cellHeight + 12 + (diverging ? 28 : 0)
        var svg = SVGDocument(width: width, height: height)
        svg.text(title, x: 0, y: 16, size: 14, weight: "bold")
        if !columnTitle.isEmpty { svg.text(columnTitle, x: labelWidth, y: 34, size: 11, fill: "#555") }
        if !rowTitle.isEmpty { svg.text(rowTitle, x: 0, y: top - 6, size: 11, fill: "#555") }
        for (c, label) in columnLabels.enumerated() {
            let x = labelWidth + (Double(c) + 0.5) * cellWidth
            if rotate {
                svg.text(Legend.truncated(label, to: header - 12, fontSize: 11), x: x + 4, y: top - 6, anchor: .start, size: 11, rotated: true)
            } else {
                svg.text(label, x: x, y: top - 8, anchor: .middle, size: 11)
            }
        }
        for (r, label) in rowLabels.enumerated() {
            let y = top + Double(r) * cellHeight
            svg.text(Legend.truncated(label, to: labelWidth - 10, fontSize: 12), x: labelWidth - 8, y: y + cellHeight / 2 + 4, anchor: .end)
            for c in columnLabels.indices {
                let value = strength[r][c]
                let fill = value.isNaN ? "#f2f2f2" : diverging ? Ramp.diverging(value) : Ramp.sequential(value)
                let x = labelWidth + Double(c) * cellWidth
                let lines = cellText[r][c].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                svg.rect(x: x + 1, y: y + 1, width: cellWidth - 2, height: cellHeight - 2, fill: fill,
                         title: "\(label) × \(columnLabels[c]): \(lines.joined(separator: ", "))", cssClass: "mark")
                let colour = Ramp.textColour(value.isNaN ? 0 : value)
                for (l, line) in lines.enumerated() {
                    let offset = (Double(l) - Double(lines.count - 1) / 2) * 14
                    svg.text(Legend.truncated(line, to: cellWidth - 6, fontSize: l == 0 ? 12 : 10), x: x + cellWidth / 2,
                             y: y + cellHeight / 2 + 4 + offset, anchor: .middle,
                             size: l == 0 ? 12 : 10, weight: l == 0 ? "bold" : "normal", fill: colour)
                }
            }
        }
        if diverging {
            // A small key: −1 … 0 … +1 of the ramp.
            let keyY = top + Double(rowLabels.count) * cellHeight + 14
            for step in 0..<21 {
                let t = Double(step - 10) / 10
                svg.rect(x: labelWidth + Double(step) * 8, y: keyY, width: 8, height: 10, fill: Ramp.diverging(t))
            }
            svg.text("−", x: labelWidth - 6, y: keyY + 9, anchor: .end, size: 11)
            svg.text("+", x: labelWidth + 21 * 8 + 6, y: keyY + 9, size: 11)
        }
        return svg.markup
    }

    /// Points coloured by group, with a legend underneath.
    public static func scatter(title: String, x: [Double], y: [Double], groups: [Int], groupNames: [String],
                               xLabel: String, yLabel: String, width: Double = 640) -> String {
        let legendHeight = Legend.height(groupNames, width: width - 56)
        let plotHeight = 400.0
        let domain = { (values: [Double]) -> ClosedRange<Double> in
            let low = values.min() ?? 0, high = values.max() ?? 1
            let pad = max((high - low) * 0.04, 1e-9)
            return (low - pad)...(high + pad)
        }
        let frame = PlotFrame(width: width, height: plotHeight, xDomain: domain(x), yDomain: domain(y))
        var svg = SVGDocument(width: width, height: plotHeight + legendHeight + 8)
        svg.text(title, x: 0, y: 16, size: 14, weight: "bold")
        frame.axes(&svg, xLabel: xLabel, yLabel: yLabel)
        for i in x.indices {
            svg.circle(cx: frame.x(x[i]), cy: frame.y(y[i]), r: 2.6, fill: Palette.colour(groups[i]), opacity: 0.7, cssClass: "mark")
        }
        Legend.draw(groupNames, colours: groupNames.indices.map(Palette.colour), into: &svg, x: frame.left, y: plotHeight + 2,
                    width: width - frame.left)
        return svg.markup
    }

    public struct Series: Sendable {
        public let name: String
        public let points: [(x: Double, y: Double)]
        public let showPoints: Bool
        public init(name: String, points: [(x: Double, y: Double)], showPoints: Bool = true) {
            self.name = name
            self.points = points
            self.showPoints = showPoints
        }
    }

    /// Lines (and points) on shared axes. `marker` draws a dashed vertical line with a label
    /// (the chosen k); `diagonal` the y = x reference (ROC, calibration).
    public static func lines(title: String, series: [Series], xLabel: String, yLabel: String,
                             xDomain: ClosedRange<Double>? = nil, yDomain: ClosedRange<Double>? = nil,
                             marker: (x: Double, label: String)? = nil, diagonal: Bool = false,
                             integerX: Bool = false, width: Double = 420, height: Double = 300) -> String {
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        let xRange = xDomain ?? ((xs.min() ?? 0)...max((xs.max() ?? 1), (xs.min() ?? 0) + 1e-9))
        let yRange: ClosedRange<Double> = yDomain ?? {
            let low = ys.min() ?? 0, high = ys.max() ?? 1
            let pad = max((high - low) * 0.08, abs(high) * 0.01, 1e-9)
            return (low - pad)...(high + pad)
        }()
        let legend = series.count > 1 ? series.map(\.name) : []
        let legendHeight = legend.isEmpty ? 0 : Legend.height(legend, width: width - 56)
        let frame = PlotFrame(width: width, height: height, left: 62, xDomain: xRange, yDomain: yRange)
        var svg = SVGDocument(width: width, height: height + legendHeight)
        svg.text(title, x: 0, y: 16, size: 14, weight: "bold")
        // Whole numbers (k): every one up to 12 of them, else a nice step of 2, 5, 10 …
        let wholeStep = max(1, LinearScale.step(xRange.lowerBound, xRange.upperBound, count: 10).rounded(.up))
        let xTicks: [(Double, String)]? = integerX
            ? stride(from: (xRange.lowerBound / wholeStep).rounded(.up) * wholeStep, through: xRange.upperBound, by: wholeStep)
                .map { ($0, String(Int($0))) } : nil
        frame.axes(&svg, xLabel: xLabel, yLabel: yLabel, xTicks: xTicks)
        if diagonal {
            let low = max(xRange.lowerBound, yRange.lowerBound), high = min(xRange.upperBound, yRange.upperBound)
            svg.line(x1: frame.x(low), y1: frame.y(low), x2: frame.x(high), y2: frame.y(high), stroke: "#999", dashed: true)
        }
        if let marker {
            svg.line(x1: frame.x(marker.x), y1: frame.top, x2: frame.x(marker.x), y2: height - frame.bottom, stroke: "#D55E00",
                     width: 1.5, dashed: true)
            // The label goes on the side of the line with more room.
            let rightHalf = frame.x(marker.x) > (frame.left + width - frame.right) / 2
            svg.text(marker.label, x: frame.x(marker.x) + (rightHalf ? -4 : 4), y: frame.top + 12, anchor: rightHalf ? .end : .start,
                     size: 11, fill: "#D55E00")
        }
        for (s, line) in series.enumerated() {
            let finite = line.points.filter { $0.y.isFinite }
            svg.polyline(finite.map { (frame.x($0.x), frame.y($0.y)) }, stroke: Palette.colour(s), cssClass: "mark")
            if line.showPoints {
                for point in finite {
                    svg.circle(cx: frame.x(point.x), cy: frame.y(point.y), r: 3.2, fill: Palette.colour(s), cssClass: "mark")
                }
            }
        }
        if !legend.isEmpty {
            Legend.draw(legend, colours: legend.indices.map(Palette.colour), into: &svg, x: frame.left, y: height - 4,
                        width: width - frame.left)
        }
        return svg.markup
    }

    /// Estimates with intervals, one row each (a forest plot), on a log axis when `logScale`
    /// (odds ratios); `reference` draws the no-effect line.
    public static func intervals(title: String, labels: [String], estimates: [Double], lows: [Double], highs: [Double],
                                 xLabel: String, reference: Double = 1, logScale: Bool = true, width: Double = 640) -> String {
        let labelWidth = min(280, (labels.map { Legend.textWidth($0, fontSize: 12) }.max() ?? 40) + 14)
        let rowHeight = 22.0
        let height = 34 + Double(labels.count) * rowHeight + 44
        let t: (Double) -> Double = { logScale ? log10(max($0, 1e-300)) : $0 }
        let values = (lows + highs + estimates + [reference]).filter { $0.isFinite && (!logScale || $0 > 0) }.map(t)
        let low = values.min() ?? -1, high = values.max() ?? 1
        let pad = max((high - low) * 0.05, 0.05)
        let frame = PlotFrame(width: width, height: height, left: labelWidth, xDomain: (low - pad)...(high + pad), yDomain: 0...1)
        var svg = SVGDocument(width: width, height: height)
        svg.text(title, x: 0, y: 16, size: 14, weight: "bold")
        var ticks: [(Double, String)]?
        if logScale {
            // 1-2-5 steps per decade, thinned when the range is wide.
            let decades = Int((high + pad).rounded(.up)) - Int((low - pad).rounded(.down))
            let multipliers: [Double] = decades > 4 ? [1] : decades > 2 ? [1, 3] : [1, 2, 5]
            ticks = (Int((low - pad).rounded(.down))...Int((high + pad).rounded(.up))).flatMap { e in
                multipliers.map { m -> (Double, String) in
                    let value = m * pow(10, Double(e))
                    return (log10(value), value >= 1 ? String(format: "%g", value) : String(format: "%g", value))
                }
            }.filter { frame.x.domain.contains($0.0) }
        }
        frame.axes(&svg, xLabel: xLabel, yLabel: "", xTicks: ticks, yTicks: [])
        svg.line(x1: frame.x(t(reference)), y1: frame.top, x2: frame.x(t(reference)), y2: height - frame.bottom, stroke: "#999", dashed: true)
        for (i, label) in labels.enumerated() {
            let y = frame.top + (Double(i) + 0.5) * rowHeight
            svg.text(Legend.truncated(label, to: labelWidth - 10, fontSize: 12), x: labelWidth - 8, y: y + 4, anchor: .end)
            guard estimates[i].isFinite, lows[i].isFinite, highs[i].isFinite else { continue }
            let colour = estimates[i] >= reference ? Palette.colour(3) : Palette.colour(0)
            svg.line(x1: frame.x(t(lows[i])), y1: y, x2: frame.x(t(highs[i])), y2: y, stroke: colour, width: 2)
            svg.circle(cx: frame.x(t(estimates[i])), cy: y, r: 4, fill: colour,
                       title: "\(label): \(String(format: "%.3g", estimates[i])) [\(String(format: "%.3g", lows[i])), \(String(format: "%.3g", highs[i]))]",
                       cssClass: "mark")
        }
        return svg.markup
    }

    /// One horizontal box per group: quartiles, median, whiskers at the 5th and 95th
    /// percentiles, and the mean as a dot. `hover` is the box's tooltip: group, median,
    /// first and third quartile as `{0}` … `{3}` (pass it translated).
    public static func boxes(title: String, labels: [String], values: [[Double]], xLabel: String,
                             hover: String = "{0}: median {1}, quartiles {2}–{3}",
                             xDomain: ClosedRange<Double> = 0...1, width: Double = 640) -> String {
        let labelWidth = min(260, (labels.map { Legend.textWidth($0, fontSize: 12) }.max() ?? 40) + 14)
        let rowHeight = 34.0
        let height = 34 + Double(labels.count) * rowHeight + 44
        let frame = PlotFrame(width: width, height: height, left: labelWidth, xDomain: xDomain, yDomain: 0...1)
        var svg = SVGDocument(width: width, height: height)
        svg.text(title, x: 0, y: 16, size: 14, weight: "bold")
        frame.axes(&svg, xLabel: xLabel, yLabel: "", yTicks: [])
        for (i, label) in labels.enumerated() {
            let y = frame.top + (Double(i) + 0.5) * rowHeight
            svg.text(Legend.truncated(label, to: labelWidth - 10, fontSize: 12), x: labelWidth - 8, y: y + 4, anchor: .end)
            let sorted = values[i].filter { !$0.isNaN }.sorted()
            guard !sorted.isEmpty else { continue }
            let q = { (p: Double) in Quantiles.linear(sorted, p) }
            let colour = Palette.colour(i)
            svg.line(x1: frame.x(q(0.05)), y1: y, x2: frame.x(q(0.95)), y2: y, stroke: colour, width: 1.5)
            svg.rect(x: frame.x(q(0.25)), y: y - 9, width: frame.x(q(0.75)) - frame.x(q(0.25)), height: 18, fill: colour + "55",
                     stroke: colour,
                     title: Localizer.substitute(hover, [label] + [0.5, 0.25, 0.75].map { String(format: "%.3f", q($0)) }),
                     cssClass: "mark")
            svg.line(x1: frame.x(q(0.5)), y1: y - 9, x2: frame.x(q(0.5)), y2: y + 9, stroke: colour, width: 2.5)
            let mean = sorted.reduce(0, +) / Double(sorted.count)
            svg.circle(cx: frame.x(mean), cy: y, r: 3, fill: "#000")
        }
        return svg.markup
    }
}

/// Quantiles by linear interpolation between order statistics (numpy's default).
public enum Quantiles {
    public static func linear(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = p * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
