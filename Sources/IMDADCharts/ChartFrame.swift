import Foundation

/// How a legend entry's swatch is drawn.
public enum LegendSwatch: Sendable, Equatable {
    /// A line segment, optionally dashed (`stroke-dasharray` value).
    case line(dash: String?)
    /// A filled box with the given fill opacity.
    case area(opacity: Double)
    /// A dot.
    case dot
}

/// One legend entry.
public struct LegendItem: Sendable, Equatable {
    public var label: String
    public var color: String
    public var swatch: LegendSwatch
    public init(_ label: String, color: String, swatch: LegendSwatch = .line(dash: nil)) {
        self.label = label
        self.color = color
        self.swatch = swatch
    }
}

/// Shared layout for cartesian charts: title, legend rows, tick computation, margins, grid,
/// axes and axis labels. Internal: the public surface is the chart types.
struct ChartFrame {
    static let tickFont = 11.0
    static let labelFont = 12.0
    static let titleFont = 14.0
    static let legendFont = 12.0

    let width: Double
    let height: Double
    var title: String?
    var xLabel: String?
    var yLabel: String?
    var y2Label: String?
    var legend: [LegendItem]

    private(set) var plotX = 0.0
    private(set) var plotY = 0.0
    private(set) var plotW = 0.0
    private(set) var plotH = 0.0
    private(set) var xTicks = NiceTicks(min: 0, max: 1)
    private(set) var yTicks = NiceTicks(min: 0, max: 1)
    private(set) var y2Ticks: NiceTicks?
    /// Explicit y ticks (position in the y domain, label), e.g. the decades of a log axis; nil: `yTicks`.
    private(set) var yTickOverride: [(value: Double, label: String)]?
    /// The y ticks drawn: `yTickOverride` or the nice ticks.
    var yTickMarks: [(value: Double, label: String)] { yTickOverride ?? yTicks.values.map { ($0, yTicks.label($0)) } }
    private var legendRows: [[(item: LegendItem, x: Double, shown: Double)]] = []
    private var titleBaseline = 0.0
    private var legendTop = 0.0

    var xScale: LinearScale { LinearScale(domain: xTicks.lower, xTicks.upper, range: plotX, plotX + plotW) }
    var yScale: LinearScale { LinearScale(domain: yTicks.lower, yTicks.upper, range: plotY + plotH, plotY) }
    var y2Scale: LinearScale? { y2Ticks.map { LinearScale(domain: $0.lower, $0.upper, range: plotY + plotH, plotY) } }

    /// Plot-area-local scales (for drawing inside the clipping viewport opened by `openPlot`).
    var xLocal: LinearScale { LinearScale(domain: xTicks.lower, xTicks.upper, range: 0, plotW) }
    var yLocal: LinearScale { LinearScale(domain: yTicks.lower, yTicks.upper, range: plotH, 0) }
    var y2Local: LinearScale? { y2Ticks.map { LinearScale(domain: $0.lower, $0.upper, range: plotH, 0) } }

    /// - Parameters:
    ///   - x, y, y2: data ranges; `fixed` ranges are used as-is, otherwise the domain is widened to nice steps.
    ///   - y2: a secondary (right-hand) axis, if any.
    init(width: Int, height: Int, title: String?, xLabel: String?, yLabel: String?, y2Label: String? = nil,
         legend: [LegendItem],
         x: (min: Double, max: Double), xFixed: Bool,
         y: (min: Double, max: Double), yFixed: Bool,
         y2: (min: Double, max: Double)? = nil, y2Fixed: Bool = false,
         yTickOverride: [(value: Double, label: String)]? = nil) {
        self.yTickOverride = yTickOverride
        self.width = Double(max(1, width))
        self.height = Double(max(1, height))
        self.title = title?.isEmpty == true ? nil : title
        self.xLabel = xLabel?.isEmpty == true ? nil : xLabel
        self.yLabel = yLabel?.isEmpty == true ? nil : yLabel
        self.y2Label = y2Label?.isEmpty == true ? nil : y2Label
        self.legend = legend

        var top = 6.0
        if self.title != nil {
            titleBaseline = top + Self.titleFont + 2
            top = titleBaseline + 6
        }
        legendTop = top
        layoutLegend(available: self.width - 16)
        top += Double(legendRows.count) * 18
        top += 8
        var bottom = 6.0 + Self.tickFont + 8
        if self.xLabel != nil { bottom += Self.labelFont + 8 }
        plotY = top
        plotH = max(10, self.height - top - bottom)

        let yTarget = Int(max(2, min(10, plotH / 45)))
        yTicks = yFixed ? NiceTicks(min: y.min, max: y.max, targetCount: yTarget, extend: false)
                        : NiceTicks(min: y.min, max: y.max, targetCount: yTarget)
        if let y2 {
            y2Ticks = y2Fixed ? NiceTicks(min: y2.min, max: y2.max, targetCount: yTarget, extend: false)
                              : NiceTicks(min: y2.min, max: y2.max, targetCount: yTarget)
        }
        let yLabelW = yTickMarks.map(\.label).map { SVGText.estimatedWidth($0, fontSize: Self.tickFont) }.max() ?? 0
        var left = 8.0 + min(yLabelW, self.width * 0.25) + 8
        if self.yLabel != nil { left += Self.labelFont + 6 }
        var right = 14.0
        if let y2Ticks {
            let w = y2Ticks.labels.map { SVGText.estimatedWidth($0, fontSize: Self.tickFont) }.max() ?? 0
            right = 8.0 + min(w, self.width * 0.25) + 8
            if self.y2Label != nil { right += Self.labelFont + 6 }
        }
        plotX = left
        plotW = max(10, self.width - left - right)

        var xTarget = Int(max(2, min(10, plotW / 80)))
        while true {
            let t = xFixed ? NiceTicks(min: x.min, max: x.max, targetCount: xTarget, extend: false)
                           : NiceTicks(min: x.min, max: x.max, targetCount: xTarget)
            let widest = t.labels.map { SVGText.estimatedWidth($0, fontSize: Self.tickFont) }.max() ?? 0
            xTicks = t
            if xTarget <= 1 || Double(t.values.count) * (widest + 10) <= plotW { break }
            xTarget -= 1
        }
    }

    private mutating func layoutLegend(available: Double) {
        legendRows = []
        guard !legend.isEmpty, available > 30 else { return }
        var row: [(item: LegendItem, x: Double, shown: Double)] = []
        var x = 0.0
        for item in legend {
            let textW = min(SVGText.estimatedWidth(item.label, fontSize: Self.legendFont), available - 24)
            let w = 22 + textW
            if x > 0 && x + w > available {
                legendRows.append(row)
                row = []
                x = 0
            }
            row.append((item, x, textW))
            x += w + 16
        }
        if !row.isEmpty { legendRows.append(row) }
    }

    /// Title and legend.
    func drawHeader(into doc: inout SVGDocument) {
        if let title {
            doc.text(title, x: 8, y: titleBaseline, size: Self.titleFont, weight: "600", maxWidth: width - 16)
        }
        for (r, row) in legendRows.enumerated() {
            let cy = legendTop + Double(r) * 18 + 9
            for entry in row {
                let x0 = 8 + entry.x
                switch entry.item.swatch {
                case .line(let dash):
                    doc.line(x1: x0, y1: cy, x2: x0 + 16, y2: cy, stroke: entry.item.color, width: 2.5, dash: dash)
                case .area(let opacity):
                    doc.rect(x: x0 + 1, y: cy - 5, width: 14, height: 10, fill: entry.item.color, stroke: entry.item.color,
                             strokeWidth: 1, opacity: opacity)
                case .dot:
                    doc.circle(cx: x0 + 8, cy: cy, r: 4, fill: entry.item.color)
                }
                doc.text(entry.item.label, x: x0 + 22, y: cy, size: Self.legendFont, dy: "0.35em", maxWidth: entry.shown + 0.5)
            }
        }
    }

    /// Grid lines, axis lines, ticks, tick labels and axis labels.
    func drawAxes(into doc: inout SVGDocument, xGrid: Bool = true, yGrid: Bool = true) {
        let xs = xScale, ys = yScale
        let bottom = plotY + plotH
        doc.open("g", [("stroke", "#e6e6e6"), ("stroke-width", "1")])
        if yGrid {
            for v in yTickMarks.map(\.value) {
                let y = ys(v)
                doc.element("line", [("x1", SVGText.coord(plotX)), ("x2", SVGText.coord(plotX + plotW)),
                                     ("y1", SVGText.coord(y)), ("y2", SVGText.coord(y))])
            }
        }
        if xGrid {
            for v in xTicks.values {
                let x = xs(v)
                doc.element("line", [("x1", SVGText.coord(x)), ("x2", SVGText.coord(x)),
                                     ("y1", SVGText.coord(plotY)), ("y2", SVGText.coord(bottom))])
            }
        }
        doc.close("g")

        // Axis lines and tick marks.
        var d = "M\(SVGText.coord(plotX)) \(SVGText.coord(plotY))V\(SVGText.coord(bottom))H\(SVGText.coord(plotX + plotW))"
        for v in xTicks.values { d += "M\(SVGText.coord(xs(v))) \(SVGText.coord(bottom))v4" }
        for v in yTickMarks.map(\.value) { d += "M\(SVGText.coord(plotX)) \(SVGText.coord(ys(v)))h-4" }
        if let y2Ticks, let y2s = y2Scale {
            d += "M\(SVGText.coord(plotX + plotW)) \(SVGText.coord(plotY))V\(SVGText.coord(bottom))"
            for v in y2Ticks.values { d += "M\(SVGText.coord(plotX + plotW)) \(SVGText.coord(y2s(v)))h4" }
        }
        doc.path(d, stroke: "#444444", strokeWidth: 1)

        let maxTickW = width * 0.25
        doc.open("g", [("fill", "#444444"), ("font-size", SVGText.number(Self.tickFont))])
        for v in xTicks.values {
            doc.text(xTicks.label(v), x: xs(v), y: bottom + 6 + Self.tickFont, size: Self.tickFont, anchor: .middle, fill: "#444444")
        }
        for (v, label) in yTickMarks {
            doc.text(label, x: plotX - 7, y: ys(v), size: Self.tickFont, anchor: .end, fill: "#444444", dy: "0.35em",
                     maxWidth: maxTickW)
        }
        if let y2Ticks, let y2s = y2Scale {
            for v in y2Ticks.values {
                doc.text(y2Ticks.label(v), x: plotX + plotW + 7, y: y2s(v), size: Self.tickFont, fill: "#444444", dy: "0.35em",
                         maxWidth: maxTickW)
            }
        }
        doc.close("g")

        if let xLabel {
            doc.text(xLabel, x: plotX + plotW / 2, y: bottom + 6 + Self.tickFont + 8 + Self.labelFont,
                     size: Self.labelFont, anchor: .middle, maxWidth: plotW)
        }
        if let yLabel {
            let x = 8 + Self.labelFont - 2, y = plotY + plotH / 2
            doc.text(yLabel, x: x, y: y, size: Self.labelFont, anchor: .middle, rotate: -90, maxWidth: plotH)
        }
        if let y2Label {
            let x = width - 8 - 2, y = plotY + plotH / 2
            doc.text(y2Label, x: x, y: y, size: Self.labelFont, anchor: .middle, rotate: 90, maxWidth: plotH)
        }
    }

    /// Opens a clipping viewport over the plot area (use the `…Local` scales inside it).
    func openPlot(into doc: inout SVGDocument) {
        doc.openViewport(x: plotX, y: plotY, width: plotW, height: plotH)
    }

    /// Draws the "no data" placeholder in the plot area.
    func drawPlaceholder(into doc: inout SVGDocument, message: String = "No data") {
        doc.placeholder(message, x: plotX, y: plotY, width: plotW, height: plotH)
    }
}

/// Finite min/max of a sequence (nil if no finite element).
func chartFiniteExtent<S: Sequence>(_ values: S) -> (min: Double, max: Double)? where S.Element == Double {
    var lo = Double.infinity, hi = -Double.infinity
    for v in values where v.isFinite {
        if v < lo { lo = v }
        if v > hi { hi = v }
    }
    return lo <= hi ? (lo, hi) : nil
}

/// Merges optional extents.
func chartUnion(_ a: (min: Double, max: Double)?, _ b: (min: Double, max: Double)?) -> (min: Double, max: Double)? {
    switch (a, b) {
    case let (a?, b?): return (min(a.min, b.min), max(a.max, b.max))
    case let (a?, nil): return a
    case let (nil, b?): return b
    default: return nil
    }
}

/// Incremental builder of path data with 1-decimal coordinates that skips repeated points.
struct SVGPathBuilder {
    private(set) var d = ""
    private var last: (String, String)?
    private var penDown = false

    var isEmpty: Bool { d.isEmpty }

    /// Starts a new subpath at (x, y).
    mutating func move(_ x: Double, _ y: Double) {
        let p = (SVGText.coord(x), SVGText.coord(y))
        d += "M\(p.0) \(p.1)"
        last = p
        penDown = true
    }

    /// Line to (x, y); starts a subpath if none is open. Consecutive duplicates are dropped.
    mutating func lineTo(_ x: Double, _ y: Double) {
        guard penDown else { move(x, y); return }
        let p = (SVGText.coord(x), SVGText.coord(y))
        if let last, last == p { return }
        d += "L\(p.0) \(p.1)"
        last = p
    }

    /// Ends the current subpath (the next point starts a new one).
    mutating func lift() { penDown = false }

    mutating func append(_ raw: String) { d += raw }
}
