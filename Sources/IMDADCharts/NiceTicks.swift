import Foundation
import IMDADData

/// "Nice" axis ticks: steps of 1, 2 or 5 × 10ⁿ covering a data range, with labels formatted
/// to just as many decimals as the step needs.
public struct NiceTicks: Sendable, Equatable {
    /// Axis domain (the data range, widened to whole steps when `extend` was requested).
    public let lower: Double
    public let upper: Double
    /// Distance between consecutive ticks (1, 2 or 5 × 10ⁿ).
    public let step: Double
    /// Tick positions, ascending, all inside `lower...upper`.
    public let values: [Double]

    /// Computes ticks for the data range `min...max` (order does not matter).
    /// - Parameters:
    ///   - targetCount: roughly how many intervals are wanted (at least 1).
    ///   - extend: widen the domain outwards to whole multiples of the step (typical for value axes);
    ///     when `false` the domain is exactly the data range and ticks fall inside it.
    /// Degenerate input is handled: a single value gets a small symmetric range around it,
    /// non-finite bounds fall back to `0...1`.
    public init(min a: Double, max b: Double, targetCount: Int = 5, extend: Bool = true) {
        var lo = Swift.min(a, b), hi = Swift.max(a, b)
        if !lo.isFinite || !hi.isFinite {
            if lo.isFinite { hi = lo } else if hi.isFinite { lo = hi } else { lo = 0; hi = 1 }
        }
        if hi == lo {
            let d = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= d; hi += d
        }
        let span = hi - lo
        guard span.isFinite, span > 0 else {
            self.lower = lo; self.upper = hi; self.step = span.isFinite ? 1 : .greatestFiniteMagnitude
            self.values = [lo, hi]
            return
        }
        let step = NiceTicks.niceStep(span / Double(Swift.max(1, targetCount)))
        var lower = lo, upper = hi
        if extend {
            lower = (lo / step).rounded(.down) * step
            upper = (hi / step).rounded(.up) * step
            // Guard against rounding making the domain slightly smaller than the data.
            if lower > lo { lower -= step }
            if upper < hi { upper += step }
        }
        let first = (lower / step - 1e-9).rounded(.up)
        let last = (upper / step + 1e-9).rounded(.down)
        var values: [Double] = []
        if last - first < 1000 && first.isFinite && last.isFinite {
            var k = first
            while k <= last {
                let v = k * step + 0.0   // + 0.0 turns -0 into 0
                values.append(v == 0 ? 0 : v)
                k += 1
            }
        }
        if values.isEmpty { values = [lower, upper] }
        if extend {
            lower = Swift.min(lower, values.first!)
            upper = Swift.max(upper, values.last!)
        }
        self.lower = lower
        self.upper = upper
        self.step = step
        self.values = values
    }

    /// Fixed domain with ticks inside it, e.g. `NiceTicks(domain: 0...1)` for ROC axes.
    public init(domain: ClosedRange<Double>, targetCount: Int = 5) {
        self.init(min: domain.lowerBound, max: domain.upperBound, targetCount: targetCount, extend: false)
    }

    /// Rounds `raw` to the nearest (in log terms) 1, 2 or 5 × 10ⁿ (for `raw` ≤ 0 or non-finite returns 1).
    public static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let exponent = floor(log10(raw))
        let magnitude = pow(10, exponent)
        let fraction = raw / magnitude
        let nice: Double
        // Nearest on a log scale (thresholds √2, √10, √50), as in d3.
        if fraction >= 50.0.squareRoot() {
            nice = 10
        } else if fraction >= 10.0.squareRoot() {
            nice = 5
        } else if fraction >= 2.0.squareRoot() {
            nice = 2
        } else {
            nice = 1
        }
        return nice * magnitude
    }

    /// Label of a tick value of this axis.
    public func label(_ value: Double) -> String {
        NiceTicks.format(value, step: step, magnitude: Swift.max(abs(lower), abs(upper)))
    }

    /// All tick labels, in order.
    public var labels: [String] { values.map(label) }

    /// Formats `value` with as many decimals as `step` needs; uses exponent notation
    /// (`2.5e-7`, `1.2e9`) when the step is below 1e-4 or the magnitude reaches 1e6.
    public static func format(_ value: Double, step: Double, magnitude: Double? = nil) -> String {
        guard value.isFinite else { return "–" }
        let mag = magnitude ?? abs(value)
        let stepExp = step > 0 && step.isFinite ? Int(floor(log10(step) + 1e-9)) : 0
        if step < 1e-4 || mag >= 1e6 {
            if value == 0 { return "0" }
            let valueExp = Int(floor(log10(abs(value))))
            let digits = Swift.max(0, Swift.min(12, valueExp - stepExp))
            return Format.cleanExponent(Format.exponent(value, digits: digits))
        }
        let decimals = Swift.max(0, -stepExp)
        var s = Format.fixed(value, digits: decimals)
        if s.hasPrefix("-") && Double(s) == 0 { s.removeFirst() }
        return s
    }
}

/// Linear map from a data domain to a pixel range (the range may be decreasing, as for y axes).
public struct LinearScale: Sendable {
    public var domain: (lower: Double, upper: Double)
    public var range: (start: Double, end: Double)

    public init(domain lower: Double, _ upper: Double, range start: Double, _ end: Double) {
        self.domain = (lower, upper)
        self.range = (start, end)
    }

    /// Pixel position of `value`; a zero-width domain maps everything to the middle of the range.
    public func callAsFunction(_ value: Double) -> Double {
        let span = domain.upper - domain.lower
        guard span != 0, span.isFinite else { return (range.start + range.end) / 2 }
        return range.start + (value - domain.lower) / span * (range.end - range.start)
    }
}
