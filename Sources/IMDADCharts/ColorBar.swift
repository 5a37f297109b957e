import Foundation

/// A colour scale legend: a gradient strip with nice ticks and a label. Usable standalone
/// (`svg(width:height:)`) or embedded in another document (`draw(into:x:y:width:height:)`, used by `HeatMap`).
/// The gradient is an embedded PNG, so no SVG `id`s are needed.
public struct ColorBar: Sendable {
    public enum Orientation: Sendable { case vertical, horizontal }

    public var colormap: Colormap
    public var range: ClosedRange<Double>
    /// Caption with units (e.g. "attribution").
    public var label: String?
    public var title: String?
    public var orientation: Orientation

    public init(colormap: Colormap, range: ClosedRange<Double>, label: String? = nil, title: String? = nil,
                orientation: Orientation = .vertical) {
        self.colormap = colormap
        self.range = range.lowerBound.isFinite && range.upperBound.isFinite ? range : 0...1
        self.label = label
        self.title = title
        self.orientation = orientation
    }

    /// Width (vertical) or height (horizontal) that `draw` needs besides the strip, for tick labels and caption.
    func decorationSize() -> Double {
        let ticks = NiceTicks(domain: range, targetCount: 5)
        switch orientation {
        case .vertical:
            let w = ticks.labels.map { SVGText.estimatedWidth($0, fontSize: 11) }.max() ?? 0
            return 6 + w + (label == nil ? 4 : 22)
        case .horizontal:
            return 6 + 11 + (label == nil ? 4 : 20)
        }
    }

    /// PNG data URI of the gradient strip (256 steps, high values at the top / right).
    func gradientURI() -> String? {
        let n = 256
        var px = [UInt8]()
        px.reserveCapacity(n * 3 * 2)
        let colors = (0..<n).map { colormap.color(at: Double($0) / Double(n - 1)) }
        switch orientation {
        case .vertical:
            for c in colors.reversed() { for _ in 0..<2 { px += [c.r, c.g, c.b] } }
            return (try? PNGEncoder.encodeRGB(px, width: 2, height: n)).map(PNGEncoder.dataURI)
        case .horizontal:
            for _ in 0..<2 { for c in colors { px += [c.r, c.g, c.b] } }
            return (try? PNGEncoder.encodeRGB(px, width: n, height: 2)).map(PNGEncoder.dataURI)
        }
    }

    /// Draws the strip in the rectangle (x, y, width, height) and ticks/caption beside it
    /// (right of a vertical bar, below a horizontal one).
    public func draw(into doc: inout SVGDocument, x: Double, y: Double, width: Double, height: Double) {
        let lo = range.lowerBound, hi = range.upperBound
        if let uri = gradientURI() {
            doc.image(href: uri, x: x, y: y, width: width, height: height, pixelated: false)
        }
        doc.rect(x: x, y: y, width: width, height: height, fill: nil, stroke: "#444444", strokeWidth: 0.5)
        let span = max(1, Int(orientation == .vertical ? height / 40 : width / 70))
        let ticks = NiceTicks(min: lo, max: hi, targetCount: span, extend: false)
        switch orientation {
        case .vertical:
            let s = LinearScale(domain: lo, hi, range: y + height, y)
            var d = ""
            for v in ticks.values { d += "M\(SVGText.coord(x + width)) \(SVGText.coord(s(v)))h4" }
            doc.path(d, stroke: "#444444", strokeWidth: 1)
            for v in ticks.values {
                doc.text(ticks.label(v), x: x + width + 6, y: s(v), size: 11, fill: "#444444", dy: "0.35em")
            }
            if let label {
                let w = ticks.labels.map { SVGText.estimatedWidth($0, fontSize: 11) }.max() ?? 0
                doc.text(label, x: x + width + 6 + w + 14, y: y + height / 2, size: 12, anchor: .middle, rotate: 90, maxWidth: height)
            }
        case .horizontal:
            let s = LinearScale(domain: lo, hi, range: x, x + width)
            var d = ""
            for v in ticks.values { d += "M\(SVGText.coord(s(v))) \(SVGText.coord(y + height))v4" }
            doc.path(d, stroke: "#444444", strokeWidth: 1)
            for v in ticks.values {
                doc.text(ticks.label(v), x: s(v), y: y + height + 6 + 10, size: 11, anchor: .middle, fill: "#444444")
            }
            if let label {
                doc.text(label, x: x + width / 2, y: y + height + 6 + 11 + 16, size: 12, anchor: .middle, maxWidth: width)
            }
        }
    }

    /// Renders the colour bar as a standalone, scalable `<svg>` element.
    public func svg(width: Int = 120, height: Int = 300) -> String {
        var doc = SVGDocument(width: width, height: height, title: title ?? label)
        let W = Double(max(1, width)), H = Double(max(1, height))
        var top = 8.0
        if let title {
            doc.text(title, x: 8, y: top + 14, size: 14, weight: "600", maxWidth: W - 16)
            top += 26
        }
        switch orientation {
        case .vertical:
            let barW = 14.0
            draw(into: &doc, x: 10, y: top + 6, width: barW, height: max(10, H - top - 16))
        case .horizontal:
            let deco = decorationSize()
            draw(into: &doc, x: 14, y: top + 4, width: max(10, W - 28), height: max(6, min(16, H - top - deco - 8)))
        }
        return doc.render()
    }
}
