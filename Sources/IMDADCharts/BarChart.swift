import Foundation

/// Horizontal bar chart of signed values with a label per bar, in the order given (e.g. per-feature
/// attributions, sorted by the caller). Positive and negative bars get different colours; each bar
/// has a hover tooltip "label: value", and the value is printed at the bar's end. Bars with a
/// non-finite value are left out.
public struct BarChart: Sendable {
    public struct Bar: Sendable {
        public var label: String
        public var value: Double
        /// Overrides the sign colour.
        public var color: String?
        public init(_ label: String, value: Double, color: String? = nil) {
            self.label = label
            self.value = value
            self.color = color
        }
    }

    public var title: String?
    /// Label of the value axis, with units (e.g. "attribution (Δ score)").
    public var valueLabel: String?
    public var bars: [Bar]
    public var positiveColor: String
    public var negativeColor: String
    /// Legend texts for the two colours (e.g. "raises the anomaly score"); no legend when both are nil.
    public var positiveLegend: String?
    public var negativeLegend: String?
    /// Print each value at the end of its bar.
    public var showValues: Bool

    public init(title: String? = nil, valueLabel: String? = nil, bars: [Bar],
                positiveColor: String = Palette.vermillion, negativeColor: String = Palette.blue,
                positiveLegend: String? = nil, negativeLegend: String? = nil, showValues: Bool = true) {
        self.title = title
        self.valueLabel = valueLabel
        self.bars = bars
        self.positiveColor = positiveColor
        self.negativeColor = negativeColor
        self.positiveLegend = positiveLegend
        self.negativeLegend = negativeLegend
        self.showValues = showValues
    }

    /// Convenience: bars from parallel label/value arrays.
    public init<T: BinaryFloatingPoint>(title: String? = nil, valueLabel: String? = nil, labels: [String], values: [T]) {
        self.init(title: title, valueLabel: valueLabel, bars: zip(labels, values).map { Bar($0, value: Double($1)) })
    }

    /// A height that gives each of `barCount` bars about 22 px.
    public static func suggestedHeight(barCount: Int, withTitle: Bool = true) -> Int {
        (withTitle ? 90 : 66) + 22 * max(1, barCount)
    }

    /// Renders the chart as a standalone, scalable `<svg>` element.
    public func svg(width: Int = 640, height: Int? = nil) -> String {
        let bars = self.bars.filter { $0.value.isFinite }
        let height = height ?? Self.suggestedHeight(barCount: bars.count, withTitle: title != nil)
        var legend: [LegendItem] = []
        if let positiveLegend { legend.append(LegendItem(positiveLegend, color: positiveColor, swatch: .area(opacity: 0.85))) }
        if let negativeLegend { legend.append(LegendItem(negativeLegend, color: negativeColor, swatch: .area(opacity: 0.85))) }
        let W = Double(max(1, width))
        // Category labels take at most 35 % of the width.
        let labelFont = 12.0
        let labelW = min(W * 0.35, (bars.map { SVGText.estimatedWidth($0.label, fontSize: labelFont) }.max() ?? 0))
        let lo = min(0, bars.map(\.value).min() ?? 0), hi = max(0, bars.map(\.value).max() ?? 1)
        // Use the shared frame for title, legend and the value axis; the label column is the "y axis".
        let frame = ChartFrame(width: width, height: height, title: title, xLabel: valueLabel, yLabel: nil,
                               legend: bars.isEmpty ? [] : legend, x: (lo, hi == lo ? 1 : hi), xFixed: false,
                               y: (0, 1), yFixed: true)
        var doc = SVGDocument(width: width, height: height, title: title)
        frame.drawHeader(into: &doc)
        // Recompute the horizontal layout: label column on the left, value-label room on both sides.
        let valueFont = 11.0
        let valueTexts = bars.map { SVGText.number($0.value) }
        let valueW = showValues ? (valueTexts.map { SVGText.estimatedWidth($0, fontSize: valueFont) }.max() ?? 0) + 6 : 0
        let plotX = 8 + labelW + 8
        let plotW = max(10, W - plotX - 14)
        let plotY = frame.plotY, plotH = frame.plotH
        guard !bars.isEmpty else {
            doc.placeholder(x: plotX, y: plotY, width: plotW, height: plotH)
            if let valueLabel {
                doc.text(valueLabel, x: plotX + plotW / 2, y: plotY + plotH + 6 + 11 + 8 + 12, anchor: .middle, maxWidth: plotW)
            }
            return doc.render()
        }
        let padL = lo < 0 ? valueW : 0, padR = hi > 0 ? valueW : 0
        let innerW = max(10, plotW - padL - padR)
        var target = Int(max(2, min(8, innerW / 70)))
        var ticks = NiceTicks(min: lo, max: hi, targetCount: target)
        while target > 1 {
            let widest = ticks.labels.map { SVGText.estimatedWidth($0, fontSize: 11) }.max() ?? 0
            if Double(ticks.values.count) * (widest + 10) <= innerW { break }
            target -= 1
            ticks = NiceTicks(min: lo, max: hi, targetCount: target)
        }
        let xs = LinearScale(domain: ticks.lower, ticks.upper, range: plotX + padL, plotX + padL + innerW)
        let bottom = plotY + plotH
        // Grid and axis.
        doc.open("g", [("stroke", "#e6e6e6")])
        for v in ticks.values {
            let x = xs(v)
            doc.element("line", [("x1", SVGText.coord(x)), ("x2", SVGText.coord(x)),
                                 ("y1", SVGText.coord(plotY)), ("y2", SVGText.coord(bottom))])
        }
        doc.close("g")
        var axis = "M\(SVGText.coord(plotX)) \(SVGText.coord(bottom))H\(SVGText.coord(plotX + plotW))"
        for v in ticks.values { axis += "M\(SVGText.coord(xs(v))) \(SVGText.coord(bottom))v4" }
        doc.path(axis, stroke: "#444444", strokeWidth: 1)
        for v in ticks.values {
            doc.text(ticks.label(v), x: xs(v), y: bottom + 6 + 11, size: 11, anchor: .middle, fill: "#444444")
        }
        if let valueLabel {
            doc.text(valueLabel, x: plotX + plotW / 2, y: bottom + 6 + 11 + 8 + 12, anchor: .middle, maxWidth: plotW)
        }
        // Bars.
        let band = plotH / Double(bars.count)
        let thickness = max(1, min(band * 0.72, 28))
        let font = min(labelFont, band * 0.8)
        let x0 = xs(0)
        for (i, bar) in bars.enumerated() {
            let cy = plotY + band * (Double(i) + 0.5)
            let xv = xs(bar.value)
            let color = bar.color ?? (bar.value >= 0 ? positiveColor : negativeColor)
            doc.rect(x: min(x0, xv), y: cy - thickness / 2, width: abs(xv - x0), height: thickness,
                     fill: color, opacity: 0.85, tooltip: "\(bar.label): \(valueTexts[i])")
            if font >= 6 {
                doc.text(bar.label, x: plotX - 8, y: cy, size: font, anchor: .end, dy: "0.35em", maxWidth: labelW)
                if showValues {
                    if bar.value >= 0 {
                        doc.text(valueTexts[i], x: xv + 4, y: cy, size: min(valueFont, font), fill: "#444444", dy: "0.35em")
                    } else {
                        doc.text(valueTexts[i], x: xv - 4, y: cy, size: min(valueFont, font), anchor: .end, fill: "#444444", dy: "0.35em")
                    }
                }
            }
        }
        doc.line(x1: x0, y1: plotY, x2: x0, y2: bottom, stroke: "#444444", width: 1)
        return doc.render()
    }
}
