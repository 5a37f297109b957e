import Foundation

/// A 2-D point of a chart series.
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    public init<T: BinaryFloatingPoint>(x: T, y: T) { self.x = Double(x); self.y = Double(y) }

    /// Zips two coordinate arrays (extra elements of the longer one are ignored).
    public static func zip<T: BinaryFloatingPoint>(_ xs: [T], _ ys: [T]) -> [ChartPoint] {
        Swift.zip(xs, ys).map { ChartPoint(Double($0), Double($1)) }
    }
}

/// Line chart of several (x, y) series: ROC and PR curves, training curves (optionally with a
/// second y axis on the right). A non-finite point breaks its line instead of being drawn.
public struct LineChart: Sendable {
    /// Which y axis a series is plotted against.
    public enum Axis: Sendable { case left, right }

    /// Interpolation between consecutive points.
    public enum Interpolation: Sendable {
        /// Straight segments.
        case linear
        /// Horizontal then vertical ("step after"; the value holds until the next x).
        case stepAfter
        /// Vertical then horizontal ("step before", as in sklearn's PR-curve plots).
        case stepBefore
    }

    public struct Series: Sendable {
        public var name: String
        public var points: [ChartPoint]
        public var color: String?
        /// `stroke-dasharray`, e.g. "6 3", or `nil` for solid.
        public var dash: String?
        public var interpolation: Interpolation
        /// Draw a small dot at every point (sensible for ≤ ~50 points, e.g. per-epoch values).
        public var showMarkers: Bool
        public var axis: Axis
        public var lineWidth: Double

        public init(_ name: String, points: [ChartPoint], color: String? = nil, dash: String? = nil,
                    interpolation: Interpolation = .linear, showMarkers: Bool = false, axis: Axis = .left,
                    lineWidth: Double = 2) {
            self.name = name
            self.points = points
            self.color = color
            self.dash = dash
            self.interpolation = interpolation
            self.showMarkers = showMarkers
            self.axis = axis
            self.lineWidth = lineWidth
        }

        /// A series with x = 0, 1, 2, … (e.g. one value per epoch; use `xOffset: 1` to start at 1).
        public init<T: BinaryFloatingPoint>(_ name: String, values: [T], xOffset: Double = 0, color: String? = nil,
                                            dash: String? = nil, showMarkers: Bool = false, axis: Axis = .left) {
            self.init(name, points: values.enumerated().map { ChartPoint(Double($0.offset) + xOffset, Double($0.element)) },
                      color: color, dash: dash, showMarkers: showMarkers, axis: axis)
        }
    }

    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    /// Label of the right-hand axis (used when some series have `axis: .right`).
    public var y2Label: String?
    public var series: [Series]
    /// Fixed x domain (e.g. `0...1` for ROC/PR); `nil` fits the data with nice bounds.
    public var xDomain: ClosedRange<Double>?
    public var yDomain: ClosedRange<Double>?
    public var y2Domain: ClosedRange<Double>?
    /// Draw the dashed y = x diagonal (the chance line of a ROC curve).
    public var diagonal: Bool
    /// Optional labelled horizontal reference line on the left axis (e.g. the PR chance level = anomaly rate).
    public var referenceY: (value: Double, label: String)?

    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, y2Label: String? = nil,
                series: [Series], xDomain: ClosedRange<Double>? = nil, yDomain: ClosedRange<Double>? = nil,
                y2Domain: ClosedRange<Double>? = nil, diagonal: Bool = false, referenceY: (value: Double, label: String)? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.y2Label = y2Label
        self.series = series
        self.xDomain = xDomain
        self.yDomain = yDomain
        self.y2Domain = y2Domain
        self.diagonal = diagonal
        self.referenceY = referenceY
    }

    /// A ROC chart preset: unit square, chance diagonal, axes "false positive rate" / "true positive rate".
    /// Put the AUROC into each series name, e.g. "IMD-AD (AUROC 0.953)".
    public static func roc(title: String? = "ROC curve", series: [Series]) -> LineChart {
        LineChart(title: title, xLabel: "false positive rate", yLabel: "true positive rate", series: series,
                  xDomain: 0...1, yDomain: 0...1, diagonal: true)
    }

    /// A precision–recall chart preset on the unit square; `baseline` (the anomaly rate) is drawn as
    /// the chance level. Series default to step interpolation.
    public static func precisionRecall(title: String? = "Precision–recall curve", series: [Series],
                                       baseline: Double? = nil) -> LineChart {
        LineChart(title: title, xLabel: "recall", yLabel: "precision", series: series,
                  xDomain: 0...1, yDomain: 0...1,
                  referenceY: baseline.map { ($0, "chance \(SVGText.number($0))") })
    }

    /// Renders the chart as a standalone, scalable `<svg>` element.
    public func svg(width: Int = 640, height: Int = 360) -> String {
        let colors = series.enumerated().map { $0.element.color ?? Palette.color($0.offset) }
        var xExt: (min: Double, max: Double)?
        var yExt: (min: Double, max: Double)?
        var y2Ext: (min: Double, max: Double)?
        var anyFinite = false
        for s in series {
            let finite = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard !finite.isEmpty else { continue }
            anyFinite = true
            xExt = chartUnion(xExt, chartFiniteExtent(finite.map(\.x)))
            if s.axis == .left {
                yExt = chartUnion(yExt, chartFiniteExtent(finite.map(\.y)))
            } else {
                y2Ext = chartUnion(y2Ext, chartFiniteExtent(finite.map(\.y)))
            }
        }
        if let r = referenceY, r.value.isFinite { yExt = chartUnion(yExt, (r.value, r.value)) }
        let hasRight = series.contains { $0.axis == .right }
        let legend = series.count > 1 || !(series.first?.name.isEmpty ?? true)
            ? series.enumerated().map { LegendItem($0.element.name, color: colors[$0.offset], swatch: .line(dash: $0.element.dash)) }
            : []
        let xr = xDomain.map { ($0.lowerBound, $0.upperBound) } ?? xExt ?? (0, 1)
        let yr = yDomain.map { ($0.lowerBound, $0.upperBound) } ?? yExt ?? (0, 1)
        let y2r = y2Domain.map { ($0.lowerBound, $0.upperBound) } ?? y2Ext ?? (0, 1)
        let frame = ChartFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
                               y2Label: hasRight ? y2Label : nil, legend: anyFinite ? legend : [],
                               x: xr, xFixed: xDomain != nil, y: yr, yFixed: yDomain != nil,
                               y2: hasRight ? y2r : nil, y2Fixed: y2Domain != nil)
        var doc = SVGDocument(width: width, height: height, title: title)
        frame.drawHeader(into: &doc)
        frame.drawAxes(into: &doc)
        guard anyFinite else {
            frame.drawPlaceholder(into: &doc)
            return doc.render()
        }
        let xs = frame.xLocal
        frame.openPlot(into: &doc)
        if diagonal {
            // y = x across the visible domain.
            let lo = max(frame.xTicks.lower, frame.yTicks.lower), hi = min(frame.xTicks.upper, frame.yTicks.upper)
            if lo < hi {
                doc.line(x1: xs(lo), y1: frame.yLocal(lo), x2: xs(hi), y2: frame.yLocal(hi), stroke: "#999999", width: 1, dash: "4 4")
            }
        }
        if let r = referenceY, r.value.isFinite {
            let y = frame.yLocal(r.value)
            doc.line(x1: 0, y1: y, x2: frame.plotW, y2: y, stroke: "#999999", width: 1, dash: "4 4")
            doc.text(r.label, x: frame.plotW - 4, y: y - 4, size: 11, anchor: .end, fill: "#666666", maxWidth: frame.plotW - 8, halo: true)
        }
        for (i, s) in series.enumerated() {
            let ys = s.axis == .left ? frame.yLocal : (frame.y2Local ?? frame.yLocal)
            var p = SVGPathBuilder()
            var prev: ChartPoint?
            var dots = SVGPathBuilder()
            for pt in s.points {
                guard pt.x.isFinite, pt.y.isFinite else { p.lift(); prev = nil; continue }
                let x = xs(pt.x), y = ys(pt.y)
                if let prev {
                    switch s.interpolation {
                    case .linear: break
                    case .stepAfter: p.lineTo(x, ys(prev.y))
                    case .stepBefore: p.lineTo(xs(prev.x), y)
                    }
                    p.lineTo(x, y)
                } else {
                    p.move(x, y)
                    // A lone point still shows up: zero-length segments render with round caps.
                    p.append("h0")
                }
                if s.showMarkers { dots.move(x, y); dots.append("h0") }
                prev = pt
            }
            doc.path(p.d, stroke: colors[i], strokeWidth: s.lineWidth, dash: s.dash, lineCap: "round", lineJoin: "round")
            if !dots.isEmpty {
                doc.path(dots.d, stroke: colors[i], strokeWidth: s.lineWidth * 2.5 + 1, lineCap: "round")
            }
        }
        doc.close("svg")
        return doc.render()
    }
}
