import Foundation

/// Overlaid histograms of several samples (e.g. anomaly scores of normal vs anomalous test data),
/// drawn as semi-transparent step areas on shared bins, with optional vertical marker lines
/// (e.g. at R² and R² + ρ²). Non-finite values are skipped; values outside explicit bin edges
/// are not counted.
public struct Histogram: Sendable {
    /// One sample to histogram.
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        /// Fill/outline colour; `nil` takes the next palette colour.
        public var color: String?
        public init(_ name: String, values: [Double], color: String? = nil) {
            self.name = name
            self.values = values
            self.color = color
        }
        public init<T: BinaryFloatingPoint>(_ name: String, values: [T], color: String? = nil) {
            self.init(name, values: values.map { Double($0) }, color: color)
        }
    }

    /// A labelled vertical line at `value`.
    public struct Marker: Sendable {
        public var value: Double
        public var label: String
        public var color: String
        public var dashed: Bool
        public init(_ label: String, at value: Double, color: String = "#333333", dashed: Bool = true) {
            self.value = value
            self.label = label
            self.color = color
            self.dashed = dashed
        }
    }

    /// Binning rule shared by all series.
    public enum Bins: Sendable {
        /// Freedman–Diaconis width over the pooled data, clamped to `5...maxCount` bins.
        case automatic(maxCount: Int)
        /// `count` equal-width bins over the pooled data range.
        case count(Int)
        /// Explicit ascending bin edges (n + 1 edges for n bins; the last bin is closed).
        case edges([Double])
        public static var automatic: Bins { .automatic(maxCount: 60) }
    }

    /// What the y axis shows.
    public enum Normalization: Sendable {
        /// Number of samples per bin.
        case count
        /// Count / (series size × bin width): each series integrates to 1, so samples of
        /// different sizes are comparable.
        case density
    }

    /// How heights map to the y axis.
    public enum YScale: Sendable, Equatable {
        /// Heights on a linear axis from 0.
        case linear
        /// Heights on a log₁₀ axis (decade ticks): a bin of a few samples stays visible next to one
        /// that holds nearly all of them. Empty bins sit on the base line, which lies at half the
        /// smallest non-empty bin's height, so every non-empty bin rises at least log₁₀ 2 above it.
        case log
        /// `.log` when the smallest non-empty bin is under ``Histogram/logThreshold`` of the tallest
        /// (it would be a sliver, or nothing, on a linear axis), else `.linear`.
        case automatic
    }

    /// Smallest non-empty / tallest bin below which `.automatic` draws a log axis (2 %: about
    /// 5 px on a 250 px plot).
    public static let logThreshold = 0.02

    public var title: String?
    /// x-axis label, with units (e.g. "anomaly score ‖φ(x) − c‖²").
    public var xLabel: String?
    /// y-axis label; defaults to "count" or "density".
    public var yLabel: String?
    public var series: [Series]
    public var bins: Bins
    public var normalization: Normalization
    public var markers: [Marker]
    /// Fill opacity of the areas (outlines are opaque).
    public var fillOpacity: Double
    /// Linear, log or chosen from the data; a log axis says so in its y label ("… (log scale)").
    public var yScale: YScale

    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, series: [Series],
                bins: Bins = .automatic, normalization: Normalization = .count, markers: [Marker] = [],
                fillOpacity: Double = 0.35, yScale: YScale = .linear) {
        self.yScale = yScale
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.bins = bins
        self.normalization = normalization
        self.markers = markers
        self.fillOpacity = fillOpacity
    }

    /// The bin edges that `bins` resolves to for the current data (empty when there is no finite data).
    public func binEdges() -> [Double] {
        switch bins {
        case .edges(let e):
            let clean = e.filter { $0.isFinite }
            guard clean.count >= 2 else { return [] }
            return clean.sorted()
        case .count(let n):
            guard let ext = chartFiniteExtent(series.lazy.flatMap { $0.values }) else { return [] }
            return Self.uniformEdges(ext, count: max(1, n))
        case .automatic(let maxCount):
            let pooled = series.flatMap { $0.values.filter { $0.isFinite } }
            guard let ext = chartFiniteExtent(pooled) else { return [] }
            var n = Int((log2(Double(pooled.count)) + 1).rounded(.up))  // Sturges as a fallback
            if pooled.count >= 4, ext.max > ext.min {
                let sorted = pooled.sorted()
                let q1 = sorted[sorted.count / 4], q3 = sorted[(3 * sorted.count) / 4]
                let iqr = q3 - q1
                if iqr > 0 {
                    let h = 2 * iqr / cbrt(Double(pooled.count))
                    n = Int(((ext.max - ext.min) / h).rounded(.up))
                }
            }
            return Self.uniformEdges(ext, count: min(max(5, maxCount), max(5, n)))
        }
    }

    private static func uniformEdges(_ ext: (min: Double, max: Double), count: Int) -> [Double] {
        var lo = ext.min, hi = ext.max
        if hi == lo { let d = lo == 0 ? 0.5 : abs(lo) * 0.05; lo -= d; hi += d }
        if !(hi - lo).isFinite { lo /= 2; hi /= 2; return [lo, hi] }
        let w = (hi - lo) / Double(count)
        return (0...count).map { i in i == count ? hi : lo + Double(i) * w }
    }

    /// Per-series bin heights (counts or densities) for the given edges.
    public func binHeights(edges: [Double]) -> [[Double]] {
        guard edges.count >= 2 else { return series.map { _ in [] } }
        let n = edges.count - 1
        return series.map { s in
            var counts = [Double](repeating: 0, count: n)
            var total = 0.0
            for v in s.values where v.isFinite {
                guard v >= edges[0], v <= edges[n] else { continue }
                // Binary search for the last edge ≤ v.
                var lo = 0, hi = n
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if edges[mid] <= v { lo = mid } else { hi = mid }
                }
                counts[lo] += 1
                total += 1
            }
            if normalization == .density, total > 0 {
                for i in 0..<n {
                    let w = edges[i + 1] - edges[i]
                    counts[i] = w > 0 ? counts[i] / (total * w) : 0
                }
            }
            return counts
        }
    }

    /// Whether the chart draws a log y axis (`.log`, or `.automatic` with a tail under
    /// ``logThreshold`` of the tallest bin).
    public var usesLogScale: Bool {
        switch yScale {
        case .linear: return false
        case .log: return true
        case .automatic:
            let heights = binHeights(edges: binEdges()).flatMap { $0 }.filter { $0 > 0 }
            guard let top = heights.max(), let low = heights.min(), top > 0 else { return false }
            return low / top < Self.logThreshold
        }
    }

    /// The decades `10ᵏ` inside `lo...hi` (log₁₀ units) as ticks labelled with the plain value;
    /// when the range spans less than one decade, its ends.
    static func decadeTicks(_ lo: Double, _ hi: Double) -> [(value: Double, label: String)] {
        func label(_ k: Int) -> String {
            if k >= 0 && k < 6 { return "1" + String(repeating: "0", count: k) }
            if k < 0 && k > -5 { return "0." + String(repeating: "0", count: -k - 1) + "1" }
            return "1e\(k)"
        }
        var ticks: [(value: Double, label: String)] = []
        var k = Int(lo.rounded(.up))
        while Double(k) <= hi && ticks.count < 20 { ticks.append((Double(k), label(k))); k += 1 }
        if ticks.count < 2 {
            let step = max(pow(10, hi).magnitude / 4, 1e-12)
            ticks = [lo, hi].map { ($0, NiceTicks.format(pow(10, $0), step: step)) }
        }
        return ticks
    }

    /// Renders the chart as a standalone, scalable `<svg>` element.
    public func svg(width: Int = 640, height: Int = 360) -> String {
        let colors = series.enumerated().map { $0.element.color ?? Palette.color($0.offset) }
        let legend = series.count > 1 || !(series.first?.name.isEmpty ?? true)
            ? series.enumerated().map { LegendItem($0.element.name, color: colors[$0.offset], swatch: .area(opacity: fillOpacity)) }
            : []
        let edges = binEdges()
        let heights = binHeights(edges: edges)
        let markers = self.markers.filter { $0.value.isFinite }
        let yMax = heights.flatMap { $0 }.max() ?? 0
        let hasData = edges.count >= 2 && yMax > 0
        var xExt = edges.count >= 2 ? (min: edges.first!, max: edges.last!) : nil
        xExt = chartUnion(xExt, chartFiniteExtent(markers.map(\.value)))
        let log = hasData && usesLogScale
        // Log axis: log₁₀ of the heights, from half the smallest non-empty bin to a little above the tallest.
        let logFloor = log10((heights.flatMap { $0 }.filter { $0 > 0 }.min() ?? 1) / 2)
        let logTop = log10(yMax) + 0.05 * max(log10(yMax) - logFloor, 0.1)
        func level(_ h: Double) -> Double { log ? (h > 0 ? log10(h) : logFloor) : h }
        let baseLabel = yLabel ?? (normalization == .count ? "count" : "density")
        let frame = ChartFrame(width: width, height: height, title: title, xLabel: xLabel,
                               yLabel: log ? baseLabel + " (log scale)" : baseLabel,
                               legend: hasData ? legend : [],
                               x: xExt ?? (0, 1), xFixed: false,
                               y: log ? (logFloor, logTop) : (0, hasData ? yMax * 1.05 : 1), yFixed: log,
                               yTickOverride: log ? Self.decadeTicks(logFloor, logTop) : nil)
        var doc = SVGDocument(width: width, height: height, title: title)
        frame.drawHeader(into: &doc)
        frame.drawAxes(into: &doc, xGrid: false)
        guard hasData else {
            frame.drawPlaceholder(into: &doc)
            return doc.render()
        }
        let xs = frame.xLocal, ys = frame.yLocal
        frame.openPlot(into: &doc)
        for (i, h) in heights.enumerated() where !h.isEmpty {
            var p = SVGPathBuilder()
            let base = ys(level(0))
            p.move(xs(edges[0]), base)
            for b in 0..<h.count {
                let top = ys(level(h[b]))
                p.lineTo(xs(edges[b]), top)
                p.lineTo(xs(edges[b + 1]), top)
            }
            p.lineTo(xs(edges[h.count]), base)
            p.append("Z")
            doc.path(p.d, fill: colors[i], fillOpacity: fillOpacity, stroke: colors[i], strokeWidth: 1.5, lineJoin: "miter")
        }
        // Marker lines with staggered labels to the right (or left near the right edge).
        for (k, m) in markers.enumerated() {
            let x = xs(m.value)
            doc.line(x1: x, y1: 0, x2: x, y2: frame.plotH, stroke: m.color, width: 1.5, dash: m.dashed ? "5 3" : nil)
            let y = 14.0 + Double(k % 4) * 15
            let roomRight = frame.plotW - x - 8
            let roomLeft = x - 8
            if roomRight >= min(roomLeft, SVGText.estimatedWidth(m.label, fontSize: 11)) || roomRight > 80 {
                doc.text(m.label, x: x + 4, y: y, size: 11, fill: m.color, maxWidth: max(0, roomRight), halo: true)
            } else {
                doc.text(m.label, x: x - 4, y: y, size: 11, anchor: .end, fill: m.color, maxWidth: max(0, roomLeft), halo: true)
            }
        }
        doc.close("svg")
        return doc.render()
    }
}
