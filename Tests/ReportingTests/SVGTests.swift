import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Reporting

/// Whether `markup` is well-formed XML (what a browser needs to draw an inline SVG).
func wellFormed(_ markup: String) -> Bool {
    XMLParser(data: Data(markup.utf8)).parse()
}

@Suite("SVG charts")
struct SVGTests {
    @Test("nice ticks: multiples of 1, 2 or 5 × 10^k inside the domain (as d3.ticks)", arguments: [
        (0.0, 1.0, 5, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0.0, 97.0, 10, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]),
        (-3.2, 7.9, 5, [-2, 0, 2, 4, 6]),
        (0.0, 0.07, 5, [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07]),
        (1200.0, 5960.0, 4, [2000, 3000, 4000, 5000]),
    ])
    func ticks(low: Double, high: Double, count: Int, expected: [Double]) {
        #expect(LinearScale(domain: low...high, range: 0...100).ticks(count: count) == expected)
    }

    @Test("tick labels carry the decimals the step needs; the scale maps and reverses")
    func labelsAndMapping() {
        #expect(LinearScale(domain: 0...1, range: 0...100).tickLabels(count: 5) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(LinearScale(domain: 0...0.07, range: 0...1).tickLabels(count: 5).last == "0.07")
        #expect(LinearScale(domain: 1200...5960, range: 0...1).tickLabels(count: 4) == ["2000", "3000", "4000", "5000"])
        let x = LinearScale(domain: 10...20, range: 100...300)
        #expect(x(10) == 100 && x(15) == 200 && x(20) == 300)
        let y = LinearScale(domain: 0...1, range: 0...50, reversed: true)
        #expect(y(0) == 50 && y(1) == 0)
        #expect(LinearScale(domain: 5...5, range: 0...10)(5) == 5)  // a flat domain sits in the middle
    }

    @Test("labels are escaped; Unicode is kept")
    func escaping() {
        #expect(SVGDocument.escape("Home & Garden <VIP> \"A\" 'b'") == "Home &amp; Garden &lt;VIP&gt; &quot;A&quot; &#39;b&#39;")
        #expect(SVGDocument.escape("高价值客户 · café") == "高价值客户 · café")
        var svg = SVGDocument(width: 100, height: 20)
        svg.text("<script>alert(1)</script> & 北京", x: 0, y: 10)
        #expect(!svg.markup.contains("<script>"))
        #expect(svg.markup.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; 北京"))
        #expect(wellFormed(svg.markup))
    }

    @Test("legend entries wrap instead of overlapping or leaving the width")
    func legend() {
        let labels = ["high value · active", "mid value · at_risk", "低价值 · 流失", "prefers: Home & Garden", "x"]
        let width = 300.0
        let places = Legend.layout(labels, width: width)
        #expect(places.first?.x == 0 && places.first?.y == 0)
        for (i, (label, place)) in zip(labels, places).enumerated() {
            let end = place.x + Legend.swatch + 4 + Legend.textWidth(label, fontSize: 12)
            #expect(end <= width || place.x == 0, "entry \(i) runs past the width")
            if i > 0, places[i - 1].y == place.y {
                let previousEnd = places[i - 1].x + Legend.swatch + 4 + Legend.textWidth(labels[i - 1], fontSize: 12)
                #expect(place.x >= previousEnd, "entry \(i) overlaps entry \(i - 1)")
            }
        }
        #expect(Set(places.map(\.y)).count > 1)  // it did wrap
        #expect(Legend.textWidth("北京", fontSize: 10) == 20 && Legend.textWidth("ab", fontSize: 10) == 12)
    }

    @Test("a bar chart: one bar per value, widths proportional, well-formed, colour-blind-safe colours")
    func bars() throws {
        let markup = Charts.bars(title: "Value tiers <2025>", labels: ["high", "mid", "low & other"], values: [50, 25, 0])
        #expect(wellFormed(markup))
        let widths = try NSRegularExpression(pattern: "<rect [^>]*width=\"([0-9.]+)\"[^>]*fill=\"(#[0-9A-F]{6})\"")
            .matches(in: markup, range: NSRange(markup.startIndex..., in: markup))
            .map { (Double((markup as NSString).substring(with: $0.range(at: 1))) ?? -1, (markup as NSString).substring(with: $0.range(at: 2))) }
        #expect(widths.count == 3)
        #expect(abs(widths[0].0 - 2 * widths[1].0) < 0.02 && widths[2].0 == 0)
        #expect(widths.map(\.1) == Array(Palette.colours.prefix(3)))
        #expect(markup.contains("Value tiers &lt;2025&gt;") && markup.contains("low &amp; other"))
    }
}
