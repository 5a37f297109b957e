import Foundation

/// Scatter plot of two or more coloured point clouds (e.g. the representation: ‖φ(x) − c‖ against
/// the first principal direction), with labelled horizontal reference lines (radius R) and bands
/// (R … R + margin). Points are drawn as round-capped zero-length path segments, one `<path>` per
/// series, with 1-decimal coordinates, so 10 000 points cost roughly 120 kB; use
/// `maxPointsPerSeries` to subsample beyond that.
public struct ScatterPlot: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [ChartPoint]
        public var color: String?
        /// Dot radius in pixels.
        public var radius: Double
        public var opacity: Double
        public init(_ name: String, points: [ChartPoint], color: String? = nil, radius: Double = 2.5, opacity: Double = 0.7) {
            self.name = name
            self.points = points
            self.color = color
            self.radius = radius
            self.opacity = opacity
        }
    }

    /// A horizontal line at `y`.
    public struct ReferenceLine: Sendable {
        public var y: Double
        public var label: String
        public var color: String
        public var dashed: Bool
        public init(_ label: String, y: Double, color: String = "#333333", dashed: Bool = true) {
            self.y = y
            self.label = label
            self.color = color
            self.dashed = dashed
        }
    }

    /// A shaded horizontal band between `lower` and `upper`.
    public struct ReferenceBand: Sendable {
        public var lower: Double
        public var upper: Double
        public var label: String
        public var color: String
        public var opacity: Double
        public init(_ label: String, from lower: Double, to upper: Double, color: String = Palette.orange, opacity: Double = 0.15) {
            self.lower = lower
            self.upper = upper
            self.label = label
            self.color = color
            self.opacity = opacity
        }
    }

    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var series: [Series]
    public var lines: [ReferenceLine]
    public var bands: [ReferenceBand]
    public var xDomain: ClosedRange<Double>?
    public var yDomain: ClosedRange<Double>?
    /// When a series has more points, an evenly strided subset of this size is drawn and the
    /// legend says "(n of N shown)". `nil` draws everything.
    public var maxPointsPerSeries: Int?

    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, series: [Series],
                lines: [ReferenceLine] = [], bands: [ReferenceBand] = [],
                xDomain: ClosedRange<Double>? = nil, yDomain: ClosedRange<Double>? = nil,
                maxPointsPerSeries: Int? = 3000) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.lines = lines
        self.bands = bands
        self.xDomain = xDomain
        self.yDomain = yDomain
        self.maxPointsPerSeries = maxPointsPerSeries
    }

    /// Deterministic, evenly strided subsample of at most `limit` elements (keeps first and spread).
    static func subsample<T>(_ items: [T], limit: Int) -> [T] {
        guard limit > 0, items.count > limit else { return limit <= 0 ? [] : items }
        let step = Double(items.count) / Double(limit)
        return (0..<limit).map { items[min(items.count - 1, Int(Double($0) * step))] }
    }

    /// Renders the chart as a standalone, scalable `<svg>` element.
    public func svg(width: Int = 640, height: Int = 400) -> String {
        let colors = series.enumerated().map { $0.element.color ?? Palette.color($0.offset) }
        let finite = series.map { s in s.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let drawn = finite.map { pts in maxPointsPerSeries.map { Self.subsample(pts, limit: $0) } ?? pts }
        var xExt: (min: Double, max: Double)?
        var yExt: (min: Double, max: Double)?
        for pts in finite {
            xExt = chartUnion(xExt, chartFiniteExtent(pts.map(\.x)))
            yExt = chartUnion(yExt, chartFiniteExtent(pts.map(\.y)))
        }
        let anyData = xExt != nil
        let lines = self.lines.filter { $0.y.isFinite }
        let bands = self.bands.filter { $0.lower.isFinite && $0.upper.isFinite }
        if anyData {
            yExt = chartUnion(yExt, chartFiniteExtent(lines.map(\.y)))
            yExt = chartUnion(yExt, chartFiniteExtent(bands.flatMap { [$0.lower, $0.upper] }))
        }
        var legend: [LegendItem] = []
        if series.count > 1 || !(series.first?.name.isEmpty ?? true) {
            for (i, s) in series.enumerated() {
                var label = s.name
                if drawn[i].count < finite[i].count { label += " (\(drawn[i].count) of \(finite[i].count) shown)" }
                legend.append(LegendItem(label, color: colors[i], swatch: .dot))
            }
        }
        let xr = xDomain.map { ($0.lowerBound, $0.upperBound) } ?? xExt ?? (0, 1)
        let yr = yDomain.map { ($0.lowerBound, $0.upperBound) } ?? yExt ?? (0, 1)
        let frame = ChartFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
                               legend: anyData ? legend : [], x: xr, xFixed: xDomain != nil, y: yr, yFixed: yDomain != nil)
        var doc = SVGDocument(width: width, height: height, title: title)
        frame.drawHeader(into: &doc)
        frame.drawAxes(into: &doc)
        guard anyData else {
            frame.drawPlaceholder(into: &doc)
            return doc.render()
        }
        let xs = frame.xLocal, ys = frame.yLocal
        frame.openPlot(into: &doc)
        for b in bands {
            let y0 = ys(max(b.lower, b.upper)), y1 = ys(min(b.lower, b.upper))
            doc.rect(x: 0, y: y0, width: frame.plotW, height: y1 - y0, fill: b.color, opacity: b.opacity, tooltip: b.label)
        }
        for (i, pts) in drawn.enumerated() where !pts.isEmpty {
            var d = ""
            d.reserveCapacity(pts.count * 12)
            for p in pts { d += "M" + SVGText.coord(xs(p.x)) + " " + SVGText.coord(ys(p.y)) + "h0" }
            doc.path(d, stroke: colors[i], strokeWidth: 2 * series[i].radius, strokeOpacity: series[i].opacity, lineCap: "round")
        }
        // Reference lines and labels drawn last, so they stay readable over the points.
        // Band labels go on the left (above a thin band, inside a tall one); line labels on the right,
        // above their line unless that would collide with the label of the line just above.
        for b in bands {
            let y0 = ys(max(b.lower, b.upper)), y1 = ys(min(b.lower, b.upper))
            let ly = (y1 - y0 >= 18 || y0 < 14) ? y0 + 13 : y0 - 4
            doc.text(b.label, x: 6, y: ly, size: 11, fill: "#444444", maxWidth: frame.plotW / 2 - 12, halo: true)
        }
        var previous = -Double.infinity
        for l in lines.sorted(by: { $0.y > $1.y }) {   // top of the plot first
            let y = ys(l.y)
            doc.line(x1: 0, y1: y, x2: frame.plotW, y2: y, stroke: l.color, width: 1.5, dash: l.dashed ? "6 3" : nil)
            var ly = y - 4
            if ly - previous < 13 || ly < 12 { ly = max(y + 13, previous + 13) }
            previous = ly
            doc.text(l.label, x: frame.plotW - 6, y: ly, size: 11, anchor: .end, fill: l.color, maxWidth: frame.plotW / 2 - 12, halo: true)
        }
        doc.close("svg")
        return doc.render()
    }
}
