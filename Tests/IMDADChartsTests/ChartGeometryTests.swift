import XCTest
import Foundation
@testable import IMDADCharts

/// Geometry follows data: the numbers in the SVG, parsed back, scale with the values drawn.
final class ChartGeometryTests: XCTestCase {
    // MARK: SVG parsing

    /// Attributes of every `<name …>` start tag, in document order.
    private func elements(_ name: String, in svg: String) -> [[String: String]] {
        var out: [[String: String]] = []
        var rest = svg[...]
        while let open = rest.range(of: "<\(name) ") {
            guard let end = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let tag = rest[open.upperBound..<end]
            var attrs: [String: String] = [:]
            var t = tag[...]
            while let eq = t.range(of: "=\"") {
                let key = t[..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
                guard let close = t[eq.upperBound...].firstIndex(of: "\"") else { break }
                attrs[key] = String(t[eq.upperBound..<close])
                t = t[t.index(after: close)...]
            }
            out.append(attrs)
            rest = rest[end...]
        }
        return out
    }

    private func number(_ attrs: [String: String], _ key: String, file: StaticString = #filePath, line: UInt = #line) -> Double {
        guard let s = attrs[key], let v = Double(s) else {
            XCTFail("attribute \(key) missing or not a number in \(attrs)", file: file, line: line)
            return .nan
        }
        return v
    }

    /// The (x, y) points of a path's `M`/`L` commands (other commands are skipped).
    private func points(_ d: String) -> [(x: Double, y: Double)] {
        var out: [(Double, Double)] = []
        let scanner = Scanner(string: d)
        scanner.charactersToBeSkipped = .whitespaces
        while !scanner.isAtEnd {
            if let c = scanner.scanCharacter(), c == "M" || c == "L",
               let x = scanner.scanDouble(), let y = scanner.scanDouble() {
                out.append((x, y))
            }
        }
        return out
    }

    // MARK: tests

    func testBarLengthIsProportionalToValue() {
        let colors = ["#000001", "#000002", "#000003", "#000004"]
        let values = [1.0, 2.0, 4.0, -2.0]
        let chart = BarChart(bars: zip(values, colors).enumerated().map {
            BarChart.Bar("b\($0.offset)", value: $0.element.0, color: $0.element.1)
        })
        let rects = elements("rect", in: chart.svg(width: 640))
        let bars = colors.map { c in rects.first { $0["fill"] == c } }
        XCTAssertTrue(bars.allSatisfy { $0 != nil }, "every bar is drawn")
        let widths = bars.map { number($0 ?? [:], "width") }
        // Widths (0.1 px rounding) scale with |value|: 1 : 2 : 4 : 2.
        for (w, v) in zip(widths, values) {
            XCTAssertEqual(w / widths[0], abs(v), accuracy: 0.01, "bar of \(v) has width \(w), unit \(widths[0])")
        }
        XCTAssertGreaterThan(widths[2], widths[1])
        // Positive bars start at the zero line; the negative bar ends there.
        let zero = number(bars[0] ?? [:], "x")
        for i in 0..<3 { XCTAssertEqual(number(bars[i] ?? [:], "x"), zero, accuracy: 0.11) }
        XCTAssertEqual(number(bars[3] ?? [:], "x") + widths[3], zero, accuracy: 0.11)
        // A larger value alone gives a longer bar.
        let grown = BarChart(bars: [BarChart.Bar("a", value: 1, color: "#000001"), BarChart.Bar("b", value: 3, color: "#000002")]).svg()
        let small = BarChart(bars: [BarChart.Bar("a", value: 1, color: "#000001"), BarChart.Bar("b", value: 2, color: "#000002")]).svg()
        let wBig = number(elements("rect", in: grown).first { $0["fill"] == "#000002" } ?? [:], "width")
        let wA = number(elements("rect", in: grown).first { $0["fill"] == "#000001" } ?? [:], "width")
        let wSmall = number(elements("rect", in: small).first { $0["fill"] == "#000002" } ?? [:], "width")
        let wA2 = number(elements("rect", in: small).first { $0["fill"] == "#000001" } ?? [:], "width")
        XCTAssertEqual(wBig / wA, 3, accuracy: 0.02)
        XCTAssertEqual(wSmall / wA2, 2, accuracy: 0.02)
    }

    func testHistogramBinHeightIsProportionalToCount() {
        // Bins [0,1), [1,2), [2,3]: counts 1, 2, 4.
        let values = [0.5, 1.2, 1.7, 2.1, 2.4, 2.6, 2.9]
        let h = Histogram(series: [Histogram.Series("s", values: values, color: "#00000a")], bins: .edges([0, 1, 2, 3]))
        XCTAssertEqual(h.binHeights(edges: [0, 1, 2, 3]), [[1, 2, 4]])
        let paths = elements("path", in: h.svg()).filter { $0["fill"] == "#00000a" }
        XCTAssertEqual(paths.count, 1)
        let pts = points(paths.first?["d"] ?? "")
        guard let base = pts.first?.y else { return XCTFail("no histogram outline") }
        // Horizontal segments above the baseline are the bin tops, left to right.
        var tops: [(x0: Double, x1: Double, height: Double)] = []
        for (a, b) in zip(pts, pts.dropFirst()) where a.y == b.y && a.y != base {
            tops.append((a.x, b.x, base - a.y))
        }
        XCTAssertEqual(tops.count, 3)
        guard tops.count == 3 else { return }
        for (top, count) in zip(tops, [1.0, 2, 4]) {
            XCTAssertEqual(top.height / tops[0].height, count, accuracy: 0.02, "bin of count \(count)")
        }
        // Equal-width bins are equally wide and adjacent.
        XCTAssertEqual(tops[1].x0, tops[0].x1, accuracy: 0.11)
        XCTAssertEqual(tops[1].x1 - tops[1].x0, tops[0].x1 - tops[0].x0, accuracy: 0.2)
        // Density normalization keeps the shape: heights count / (n · width).
        let d = Histogram(series: [Histogram.Series("s", values: values)], bins: .edges([0, 1, 2, 3]), normalization: .density)
        let dh = d.binHeights(edges: [0, 1, 2, 3])[0]
        for (v, c) in zip(dh, [1.0, 2, 4]) { XCTAssertEqual(v, c / 7, accuracy: 1e-12) }
    }

    /// Bin tops (x0, x1, height above the base line) of the histogram path filled with `color`.
    private func binTops(_ svg: String, color: String) -> [(x0: Double, x1: Double, height: Double)] {
        let pts = points(elements("path", in: svg).first { $0["fill"] == color }?["d"] ?? "")
        guard let base = pts.first?.y else { return [] }
        var tops: [(x0: Double, x1: Double, height: Double)] = []
        for (a, b) in zip(pts, pts.dropFirst()) where a.y == b.y && a.x < b.x { tops.append((a.x, b.x, base - a.y)) }
        return tops
    }

    /// One bin holds 99 % of the samples, the last bin 1 %: on a log axis (chosen automatically
    /// here) the tail bin is still many pixels tall, the axis says "log scale" and is labelled by
    /// decades; on a linear axis the same tail is a sliver.
    func testLogScaleKeepsTheTailVisibleWhenOneBinDominates() {
        let values = [Double](repeating: 0.5, count: 990) + [Double](repeating: 9.5, count: 10)
        let edges = (0...10).map(Double.init)
        func chart(_ scale: Histogram.YScale) -> Histogram {
            Histogram(yLabel: "samples per bin", series: [Histogram.Series("s", values: values, color: "#00000c")],
                      bins: .edges(edges), yScale: scale)
        }
        XCTAssertEqual(chart(.log).binHeights(edges: edges)[0], [990, 0, 0, 0, 0, 0, 0, 0, 0, 10])
        XCTAssertTrue(chart(.automatic).usesLogScale, "1 % next to 99 % is under the 2 % threshold")
        XCTAssertFalse(chart(.linear).usesLogScale)
        XCTAssertFalse(Histogram(series: [Histogram.Series("s", values: [0.5, 0.5, 1.5])], bins: .edges([0, 1, 2]),
                                 yScale: .automatic).usesLogScale, "balanced bins stay linear")
        let logSVG = chart(.automatic).svg(width: 640, height: 360)
        let linearSVG = chart(.linear).svg(width: 640, height: 360)
        let logTops = binTops(logSVG, color: "#00000c"), linearTops = binTops(linearSVG, color: "#00000c")
        // The tallest and the tail bin are the only raised tops; the tail is the last one.
        guard let head = logTops.first, let tail = logTops.last, logTops.count >= 2,
              let linearHead = linearTops.first, let linearTail = linearTops.last else {
            return XCTFail("histogram outline not found: \(logTops) \(linearTops)")
        }
        XCTAssertGreaterThan(tail.x0, head.x1 + 100, "the tail bin is the right-most one")
        XCTAssertGreaterThanOrEqual(tail.height, 20, "log axis: the 1 % tail bin is at least 20 px tall")
        // log₁₀(10 / 5) : log₁₀(990 / 5) of the plot's height from the base line (half the smallest bin).
        XCTAssertEqual(tail.height / head.height, log10(2) / log10(198), accuracy: 0.02)
        XCTAssertLessThan(linearTail.height, 4, "linear axis: the same tail is a sliver")
        XCTAssertEqual(linearTail.height / linearHead.height, 10.0 / 990, accuracy: 0.005)
        // The chart says which: the y label and decade tick labels.
        XCTAssertTrue(logSVG.contains("samples per bin (log scale)"))
        XCTAssertFalse(linearSVG.contains("log scale"))
        for decade in [">10<", ">100<"] { XCTAssertTrue(logSVG.contains(decade), "log axis lacks the tick \(decade)") }
    }

    func testScatterPointsMoveWithTheirValues() {
        func probe(_ p: ChartPoint) -> (x: Double, y: Double)? {
            let plot = ScatterPlot(series: [ScatterPlot.Series("s", points: [p], color: "#00000b")],
                                   xDomain: 0...10, yDomain: 0...10)
            let path = elements("path", in: plot.svg()).first { $0["stroke"] == "#00000b" }
            return points(path?["d"] ?? "").first
        }
        guard let origin = probe(ChartPoint(0, 0)), let a = probe(ChartPoint(2, 3)),
              let b = probe(ChartPoint(5, 7)), let far = probe(ChartPoint(10, 10)) else {
            return XCTFail("scatter point not found")
        }
        XCTAssertGreaterThan(b.x, a.x, "x grows to the right")
        XCTAssertLessThan(b.y, a.y, "y grows upwards (smaller SVG y)")
        // Positions are linear in the values: (v − 0) / (10 − 0) of the axis span.
        let spanX = far.x - origin.x, spanY = far.y - origin.y
        XCTAssertGreaterThan(spanX, 100)
        XCTAssertEqual((a.x - origin.x) / spanX, 0.2, accuracy: 0.002)
        XCTAssertEqual((b.x - origin.x) / spanX, 0.5, accuracy: 0.002)
        XCTAssertEqual((a.y - origin.y) / spanY, 0.3, accuracy: 0.002)
        XCTAssertEqual((b.y - origin.y) / spanY, 0.7, accuracy: 0.002)
    }

    func testTicksCoverTheRangeEvenly() {
        var rng = SystemRandomNumberGenerator()
        let ranges: [(Double, Double)] = [(0, 1), (-3.7, 12.2), (0.0013, 0.0021), (-1e7, 3e7), (5, 5.000001), (-250, -20)]
            + (0..<50).map { _ in
                let a = Double.random(in: -1000...1000, using: &rng)
                return (a, a + Double.random(in: 1e-3...1e4, using: &rng))
            }
        for (lo, hi) in ranges {
            for target in [2, 5, 8] {
                let t = NiceTicks(min: lo, max: hi, targetCount: target)
                let what = "ticks of [\(lo), \(hi)] target \(target): \(t.values)"
                XCTAssertLessThanOrEqual(t.lower, lo, what)
                XCTAssertGreaterThanOrEqual(t.upper, hi, what)
                XCTAssertGreaterThanOrEqual(t.values.count, 2, what)
                XCTAssertEqual(t.values.first ?? .nan, t.lower, accuracy: abs(t.step) * 1e-9, what)
                XCTAssertEqual(t.values.last ?? .nan, t.upper, accuracy: abs(t.step) * 1e-9, what)
                for (u, v) in zip(t.values, t.values.dropFirst()) {
                    XCTAssertEqual(v - u, t.step, accuracy: abs(t.step) * 1e-6, what)
                }
                // Labels are distinct and read back as the tick values to within the step.
                XCTAssertEqual(Set(t.labels).count, t.labels.count, what)
                for (v, label) in zip(t.values, t.labels) {
                    if let parsed = Double(label) { XCTAssertEqual(parsed, v, accuracy: abs(t.step) / 2, "\(what): \(label)") }
                }
            }
        }
    }

    func testLinearScaleMapsDomainOntoRange() {
        let s = LinearScale(domain: 2, 6, range: 300, 100)  // decreasing, like a y axis
        XCTAssertEqual(s(2), 300)
        XCTAssertEqual(s(6), 100)
        XCTAssertEqual(s(3), 250)
        XCTAssertEqual(LinearScale(domain: 1, 1, range: 0, 10)(1), 5)
    }
}
