import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import IMDADCharts

/// Collects element names and all character data; records the first parse error.
private final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var text = ""
    var attributes: [String] = []
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elements.append(elementName)
        attributes += attributeDict.values
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}

/// Parses `svg` as XML; fails the test if it is not well-formed or not an `<svg>` with a viewBox.
@discardableResult
private func assertValidSVG(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> XMLCollector {
    let collector = XMLCollector()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = collector
    let ok = parser.parse()
    XCTAssertTrue(ok, "not well-formed XML: \(String(describing: parser.parserError))\n\(svg.prefix(400))", file: file, line: line)
    XCTAssertEqual(collector.elements.first, "svg", file: file, line: line)
    XCTAssertTrue(svg.hasPrefix("<svg "), file: file, line: line)
    XCTAssertTrue(svg.contains("viewBox=\"0 0 "), file: file, line: line)
    XCTAssertTrue(svg.contains("width=\"100%\""), file: file, line: line)
    for bad in ["NaN", "nan", "inf", "Infinity"] {
        XCTAssertFalse(svg.contains(bad), "output contains \(bad)", file: file, line: line)
    }
    return collector
}

final class ChartsTests: XCTestCase {
    // MARK: escaping and formatting

    func testXMLEscaping() {
        XCTAssertEqual(SVGText.escape("a<b & \"c\" 'd' >"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;")
        XCTAssertEqual(SVGText.escape("plain ‖φ−c‖² ü"), "plain ‖φ−c‖² ü")
        XCTAssertEqual(SVGText.escape("bell\u{07}x"), "bell\u{FFFD}x")
        XCTAssertEqual(SVGText.escape("&amp;"), "&amp;amp;")
    }

    func testEscapedNamesSurviveInCharts() {
        let nasty = "x<1 & y>\"2\" 'z' </svg>"
        let chart = BarChart(title: nasty, valueLabel: nasty, bars: [.init(nasty, value: 1), .init("b", value: -2)])
        let svg = chart.svg(width: 500)
        XCTAssertFalse(svg.contains("</svg> '"))
        let c = assertValidSVG(svg)
        XCTAssertTrue(c.text.contains("x<1 & y>\"2\""))
    }

    func testCoordinateFormatting() {
        XCTAssertEqual(SVGText.coord(12), "12")
        XCTAssertEqual(SVGText.coord(12.34), "12.3")
        XCTAssertEqual(SVGText.coord(-0.45), "-0.5")
        XCTAssertEqual(SVGText.coord(-0.04), "0")
        XCTAssertEqual(SVGText.coord(.nan), "0")
        XCTAssertEqual(SVGText.number(0.953123), "0.953")
        XCTAssertEqual(SVGText.number(1234.6), "1235")
        XCTAssertEqual(SVGText.number(2.5e-7), "2.5e-7")
        XCTAssertEqual(SVGText.number(.infinity), "–")
    }

    func testTruncation() {
        let (t, cut) = SVGText.truncate(String(repeating: "feature_", count: 20), maxWidth: 100, fontSize: 12)
        XCTAssertTrue(cut)
        XCTAssertTrue(t.hasSuffix("…"))
        XCTAssertLessThanOrEqual(SVGText.estimatedWidth(t, fontSize: 12), 100)
        XCTAssertEqual(SVGText.truncate("short", maxWidth: 100, fontSize: 12).truncated, false)
        // A truncated label carries the full text as a tooltip.
        let long = "a very long feature name that certainly does not fit the label column"
        let svg = BarChart(bars: [.init(long, value: 0.5)]).svg(width: 300)
        XCTAssertTrue(svg.contains("<title>\(long)</title>"))
        XCTAssertTrue(svg.contains("…"))
    }

    // MARK: ticks

    func testTicksUnitRange() {
        let t = NiceTicks(min: 0, max: 1, targetCount: 5)
        XCTAssertEqual(t.values, [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        XCTAssertEqual(t.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    func testTicksPlainRanges() {
        let t = NiceTicks(min: 3, max: 97, targetCount: 5)
        XCTAssertEqual(t.step, 20)
        XCTAssertEqual(t.lower, 0)
        XCTAssertEqual(t.upper, 100)
        XCTAssertEqual(t.labels, ["0", "20", "40", "60", "80", "100"])
        let u = NiceTicks(min: 0, max: 1234, targetCount: 4)
        XCTAssertEqual(u.step, 200)
        XCTAssertEqual(u.labels, ["0", "200", "400", "600", "800", "1000", "1200", "1400"])
    }

    func testTicksNegativeAndCrossingZero() {
        let t = NiceTicks(min: -37, max: -2, targetCount: 4)
        XCTAssertEqual(t.step, 10)
        XCTAssertEqual(t.labels, ["-40", "-30", "-20", "-10", "0"])
        let z = NiceTicks(min: -0.32, max: 0.79, targetCount: 5)
        XCTAssertEqual(z.step, 0.2)
        XCTAssertEqual(z.labels, ["-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6", "0.8"])
        XCTAssertFalse(z.labels.contains("-0.0"))
        XCTAssertLessThanOrEqual(z.lower, -0.32)
        XCTAssertGreaterThanOrEqual(z.upper, 0.79)
    }

    func testTicksTinyAndHuge() {
        let t = NiceTicks(min: 1e-9, max: 3e-9, targetCount: 4)
        XCTAssertEqual(t.step, 5e-10, accuracy: 1e-20)
        XCTAssertEqual(t.labels.first, "1e-9")
        XCTAssertTrue(t.labels.contains("2.5e-9"), "\(t.labels)")
        let h = NiceTicks(min: 0, max: 3.2e7, targetCount: 4)
        XCTAssertEqual(h.step, 1e7)
        XCTAssertEqual(h.labels, ["0", "1e7", "2e7", "3e7", "4e7"])
        let small = NiceTicks(min: 0.0012, max: 0.0047, targetCount: 4)
        XCTAssertEqual(small.step, 0.001, accuracy: 1e-15)
        XCTAssertEqual(small.labels, ["0.001", "0.002", "0.003", "0.004", "0.005"])
    }

    func testTicksDegenerate() {
        let single = NiceTicks(min: 5, max: 5)
        XCTAssertLessThan(single.lower, 5)
        XCTAssertGreaterThan(single.upper, 5)
        XCTAssertGreaterThanOrEqual(single.values.count, 2)
        let zero = NiceTicks(min: 0, max: 0)
        XCTAssertEqual(zero.lower, -1)
        XCTAssertEqual(zero.upper, 1)
        let bad = NiceTicks(min: .nan, max: .infinity)
        XCTAssertEqual(bad.lower, 0)
        XCTAssertEqual(bad.upper, 1)
        let reversed = NiceTicks(min: 10, max: 0)
        XCTAssertEqual(reversed.lower, 0)
        XCTAssertEqual(reversed.upper, 10)
        let fixed = NiceTicks(domain: 0...1)
        XCTAssertEqual(fixed.lower, 0)
        XCTAssertEqual(fixed.upper, 1)
        let fixedOdd = NiceTicks(domain: 0.13...0.87, targetCount: 4)
        XCTAssertEqual(fixedOdd.lower, 0.13)
        XCTAssertTrue(fixedOdd.values.allSatisfy { $0 >= 0.13 && $0 <= 0.87 })
        let huge = NiceTicks(min: -Double.greatestFiniteMagnitude, max: .greatestFiniteMagnitude)
        XCTAssertFalse(huge.values.isEmpty)
        for v in [1, 2, 5, 10] as [Double] { XCTAssertEqual(NiceTicks.niceStep(v * 0.999), v, accuracy: 1e-12) }
    }

    // MARK: charts

    private let normal: [Double] = (0..<500).map { (i: Int) -> Double in
        let wave: Double = 0.3 * sin(Double(i) * 1.7)
        return 0.5 + wave + Double(i % 7) * 0.02
    }
    private let anomalous: [Double] = (0..<80).map { (i: Int) -> Double in 1.4 + 0.4 * cos(Double(i) * 2.3) }

    func testHistogram() {
        var h = Histogram(title: "Scores", xLabel: "score ‖φ−c‖²",
                          series: [.init("normal", values: normal), .init("anomalous", values: anomalous)],
                          markers: [.init("R²", at: 1.0), .init("R² + ρ²", at: 1.2)])
        let c = assertValidSVG(h.svg(width: 640, height: 320))
        XCTAssertTrue(c.text.contains("R² + ρ²"))
        XCTAssertTrue(c.text.contains("anomalous"))
        h.normalization = .density
        assertValidSVG(h.svg())
        // Counts on explicit edges; last bin is closed, outside values are ignored, NaN skipped.
        let e = Histogram(series: [.init("a", values: [0, 0.5, 1, 1.5, 2, 5, .nan, -1])], bins: .edges([0, 1, 2]))
        XCTAssertEqual(e.binHeights(edges: e.binEdges()), [[2, 3]])
        let d = Histogram(series: [.init("a", values: [0, 1.5, 1.5, 1.9])], bins: .edges([0, 1, 2]), normalization: .density)
        XCTAssertEqual(d.binHeights(edges: d.binEdges()), [[0.25, 0.75]])
        XCTAssertEqual(Histogram(series: [.init("a", values: normal)], bins: .count(10)).binEdges().count, 11)
    }

    func testHistogramDegenerateInputs() {
        for values in [[], [Double.nan, .infinity], [3, 3, 3], [1e-12, 2e-12]] as [[Double]] {
            let h = Histogram(title: "t", series: [.init("s", values: values)], markers: [.init("m", at: .nan)])
            assertValidSVG(h.svg(width: 300, height: 200))
        }
        let c = assertValidSVG(Histogram(series: []).svg())
        XCTAssertTrue(c.text.contains("No data"))
        assertValidSVG(Histogram(series: [.init("x", values: [1, 2])]).svg(width: 20, height: 10))
    }

    func testLineChartROCAndTraining() {
        let roc = (0...100).map { i -> ChartPoint in let x = Double(i) / 100; return ChartPoint(x, pow(x, 0.3)) }
        let chart = LineChart.roc(series: [
            .init("IMD-AD (AUROC 0.953)", points: roc),
            .init("Deep SVDD (AUROC 0.871)", points: roc.map { ChartPoint($0.x, pow($0.x, 0.5)) }, dash: "6 3"),
        ])
        let c = assertValidSVG(chart.svg())
        XCTAssertTrue(c.text.contains("AUROC 0.953"))
        XCTAssertTrue(c.text.contains("false positive rate"))
        let pr = LineChart.precisionRecall(series: [.init("AP 0.81", points: roc.map { ChartPoint($0.x, 1 - $0.x * 0.5) },
                                                          interpolation: .stepBefore)],
                                           baseline: 0.1)
        assertValidSVG(pr.svg())
        let training = LineChart(title: "Training", xLabel: "epoch", yLabel: "loss", y2Label: "fraction",
                                 series: [.init("loss", values: [3.0, 2.1, 1.5, .nan, 1.1, 1.0], xOffset: 1, showMarkers: true),
                                          .init("R²", values: [0.5, 0.4, 0.35, 0.33, 0.32, 0.32], xOffset: 1),
                                          .init("active hinge", values: [0.9, 0.5, 0.3, 0.2, 0.1, 0.1], xOffset: 1, axis: .right)])
        let t = assertValidSVG(training.svg(width: 700, height: 300))
        XCTAssertTrue(t.text.contains("fraction"))
    }

    func testLineChartDegenerateInputs() {
        assertValidSVG(LineChart(series: []).svg())
        assertValidSVG(LineChart(series: [.init("nan", points: [ChartPoint(.nan, 1), ChartPoint(1, .infinity)])]).svg())
        assertValidSVG(LineChart(series: [.init("one", points: [ChartPoint(2, 3)])]).svg())
        assertValidSVG(LineChart.roc(series: [.init("empty", points: [])]).svg(width: 1, height: 1))
    }

    func testScatterPlot() {
        let a = (0..<5000).map { i in ChartPoint(sin(Double(i)) * 2, 1 + abs(cos(Double(i) * 0.7))) }
        let b = (0..<200).map { i in ChartPoint(cos(Double(i)) * 3, 2.5 + sin(Double(i))) }
        let plot = ScatterPlot(title: "Representation", xLabel: "PC 1", yLabel: "‖φ(x) − c‖",
                               series: [.init("normal", points: a), .init("anomalous", points: b + [ChartPoint(.nan, 1)])],
                               lines: [.init("R", y: 2.0)], bands: [.init("R … R + margin", from: 2.0, to: 2.3)],
                               maxPointsPerSeries: 1000)
        let svg = plot.svg()
        let c = assertValidSVG(svg)
        XCTAssertTrue(c.text.contains("normal (1000 of 5000 shown)"))
        XCTAssertTrue(c.text.contains("R … R + margin"))
        XCTAssertLessThan(svg.utf8.count, 40_000)
        assertValidSVG(ScatterPlot(series: []).svg())
        assertValidSVG(ScatterPlot(series: [.init("nan", points: [ChartPoint(.nan, .nan)])], lines: [.init("R", y: .infinity)]).svg())
        assertValidSVG(ScatterPlot(series: [.init("same", points: [ChartPoint(1, 1), ChartPoint(1, 1)])]).svg())
    }

    func testBarChart() {
        let names = ["age", "income (k$)", "num_<purchases>", "a \"quoted\" & 'odd' name", "x"]
        let chart = BarChart(title: "Attribution", valueLabel: "Δ score", labels: names, values: [0.8, -0.3, 0.05, -1.2, .nan] as [Float])
        let c = assertValidSVG(chart.svg(width: 560))
        XCTAssertTrue(c.text.contains("num_<purchases>"))
        XCTAssertFalse(c.text.contains("x\n"))
        // Order is preserved as given.
        let ia = c.text.range(of: "age")!.lowerBound, ii = c.text.range(of: "income")!.lowerBound
        XCTAssertLessThan(ia, ii)
        assertValidSVG(BarChart(bars: []).svg())
        assertValidSVG(BarChart(bars: [.init("zero", value: 0)]).svg(width: 200, height: 60))
        assertValidSVG(BarChart(bars: (0..<200).map { .init("f\($0)", value: Double($0) - 100) }).svg(width: 400, height: 300))
        XCTAssertEqual(BarChart.suggestedHeight(barCount: 10), 310)
    }

    func testHeatMapAndColorBar() {
        let values: [Double] = (0..<784).map { (i: Int) -> Double in
            let a: Double = sin(Double(i % 28) / 4)
            return a * cos(Double(i / 28) / 5)
        }
        let image: [Double] = (0..<784).map { (i: Int) -> Double in Double((i % 28 + i / 28) % 10) / 10 }
        for layout in [HeatMap.Layout.overlay, .sideBySide, .all] {
            let h = HeatMap(title: "Attribution", values: values, rows: 28, cols: 28, grayscale: image, layout: layout,
                            colorBarLabel: "attribution")
            let c = assertValidSVG(h.svg(width: 640, height: 300))
            XCTAssertTrue(c.elements.contains("image"))
            XCTAssertTrue(c.attributes.contains { $0.hasPrefix("data:image/png;base64,") })
        }
        let rects = HeatMap(values: values, rows: 28, cols: 28, colormap: .viridis, rendering: .rects)
        let r = assertValidSVG(rects.svg())
        XCTAssertGreaterThanOrEqual(r.elements.filter { $0 == "rect" }.count, 784)
        // Mismatched sizes, NaN-only and empty inputs give a placeholder.
        for bad in [HeatMap(values: [1.0, 2.0], rows: 28, cols: 28), HeatMap(values: [Double.nan], rows: 1, cols: 1),
                    HeatMap(values: [Double](), rows: 0, cols: 0)] {
            XCTAssertTrue(assertValidSVG(bad.svg()).text.contains("No data"))
        }
        assertValidSVG(HeatMap(values: [Double.nan, 1, 2, .infinity], rows: 2, cols: 2, range: 5...5).svg())
        assertValidSVG(ColorBar(colormap: .diverging, range: -0.5...0.5, label: "attribution").svg())
        assertValidSVG(ColorBar(colormap: .viridis, range: 0...1, label: "p", title: "T", orientation: .horizontal)
            .svg(width: 300, height: 80))
        assertValidSVG(ColorBar(colormap: .viridis, range: 5...5).svg())
    }

    func testDocumentBuilder() {
        var doc = SVGDocument(width: 100, height: 50, title: "a & b")
        doc.text("hello <world>", x: 5, y: 20, maxWidth: 30)
        doc.rect(x: 0, y: 0, width: 10, height: 10, fill: "red\"onload=\"x", tooltip: "t<")
        doc.line(x1: 0, y1: 0, x2: .nan, y2: 1, stroke: "#000")
        let svg = doc.render()
        let c = assertValidSVG(svg)
        XCTAssertTrue(c.text.contains("hello <world>"))  // full text in tooltip
        XCTAssertTrue(c.attributes.contains("red\"onload=\"x"))
        XCTAssertTrue(svg.contains("aria-label=\"a &amp; b\""))
        XCTAssertTrue(svg.contains("style=\"max-width:100px;height:auto;display:block\""))
    }
}
