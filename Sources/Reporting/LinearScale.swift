import Foundation

/// Maps a numeric domain onto a pixel range, and picks "nice" tick values (1, 2 or 5 times a
/// power of ten) the way d3's `ticks` does, so axes read 0, 20, 40 … rather than 0, 19.4, 38.8.
public struct LinearScale: Sendable, Equatable {
    public let domain: ClosedRange<Double>
    public let range: ClosedRange<Double>
    /// Map larger values to smaller pixels (a y axis growing upwards).
    public let reversed: Bool

    public init(domain: ClosedRange<Double>, range: ClosedRange<Double>, reversed: Bool = false) {
        self.domain = domain
        self.range = range
        self.reversed = reversed
    }

    /// The pixel position of `x` (values outside the domain map outside the range).
    public func callAsFunction(_ x: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        let t = span == 0 ? 0.5 : (x - domain.lowerBound) / span
        let u = reversed ? 1 - t : t
        return range.lowerBound + u * (range.upperBound - range.lowerBound)
    }

    /// The tick step for about `count` ticks over the domain.
    public func tickStep(count: Int) -> Double {
        LinearScale.step(domain.lowerBound, domain.upperBound, count: count)
    }

    /// Tick values: multiples of the step inside the domain, in order.
    public func ticks(count: Int = 5) -> [Double] {
        let step = tickStep(count: count)
        guard step > 0, step.isFinite else { return [domain.lowerBound] }
        let first = (domain.lowerBound / step).rounded(.up), last = (domain.upperBound / step).rounded(.down)
        guard first <= last else { return [] }
        // Multiply integers by the step (no accumulated rounding): 0.1 · 3 = 0.30000000000000004,
        // so round to the step's decimals.
        let decimals = LinearScale.decimals(for: step)
        return stride(from: first, through: last, by: 1).map { (($0 * step) * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals)) }
    }

    /// Tick labels with as many decimals as the step needs (`0.25` → 2, `20` → 0).
    public func tickLabels(count: Int = 5) -> [String] {
        let decimals = LinearScale.decimals(for: tickStep(count: count))
        return ticks(count: count).map { String(format: "%.\(decimals)f", $0 == 0 ? 0 : $0) }
    }

    /// Decimals a step of 1, 2 or 5 × 10^k needs: 0.2 → 1, 0.05 → 2, 20 → 0.
    static func decimals(for step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        return max(0, -Int((log10(step) + 1e-9).rounded(.down)))
    }

    /// d3's tickIncrement: a power of ten times 1, 2 or 5.
    static func step(_ start: Double, _ stop: Double, count: Int) -> Double {
        let span = abs(stop - start)
        guard span > 0, count > 0 else { return 0 }
        let raw = span / Double(count)
        let power = pow(10, (log10(raw)).rounded(.down))
        let error = raw / power
        let factor: Double = error >= sqrt(50) ? 10 : error >= sqrt(10) ? 5 : error >= sqrt(2) ? 2 : 1
        return factor * power
    }
}
