import Foundation

/// A rows × cols grid of values (e.g. a per-pixel attribution over a 28 × 28 image) drawn with a
/// colormap, optionally with the grayscale input underneath and/or beside it, plus a colour bar.
/// By default the grid is embedded as an upscaled PNG data URI (a few kB); `.rects` draws one
/// `<rect>` per cell instead (crisp at any zoom, larger).
public struct HeatMap: Sendable {
    /// How the grayscale image (if any) is shown.
    public enum Layout: Sendable {
        /// The heat map alpha-blended over the image (one panel).
        case overlay
        /// Image and heat map next to each other (two panels).
        case sideBySide
        /// Image, heat map and overlay (three panels).
        case all
    }

    public enum Rendering: Sendable {
        /// Embedded PNG, upscaled by `scale` (nil: about 256 px on the long side).
        case png(scale: Int?)
        /// One `<rect>` per cell.
        case rects
    }

    public var title: String?
    /// `rows × cols` values, row-major, top row first. Non-finite cells are drawn neutral.
    public var values: [Double]
    public var rows: Int
    public var cols: Int
    public var colormap: Colormap
    /// Value range mapped onto the colormap; default symmetric for diverging maps, min…max otherwise.
    public var range: ClosedRange<Double>?
    /// Optional grayscale image of the same grid, intensities in [0, 1].
    public var grayscale: [Double]?
    public var layout: Layout
    /// Heat-map opacity over the image in overlay panels.
    public var alpha: Double
    /// In overlay panels, scale opacity by |value| / max so near-zero cells show the image.
    public var alphaByMagnitude: Bool
    public var rendering: Rendering
    /// Colour-bar caption with units (nil: no caption); `showColorBar` false hides the bar.
    public var colorBarLabel: String?
    public var showColorBar: Bool
    /// Captions of the panels (defaults: "input", "heat map", "overlay").
    public var panelTitles: [String]?

    public init<T: BinaryFloatingPoint>(title: String? = nil, values: [T], rows: Int, cols: Int,
                                        colormap: Colormap = .diverging, range: ClosedRange<Double>? = nil,
                                        grayscale: [T]? = nil, layout: Layout = .overlay, alpha: Double = 0.65,
                                        alphaByMagnitude: Bool = true, rendering: Rendering = .png(scale: nil),
                                        colorBarLabel: String? = nil, showColorBar: Bool = true, panelTitles: [String]? = nil) {
        self.title = title
        self.values = values.map { Double($0) }
        self.rows = rows
        self.cols = cols
        self.colormap = colormap
        self.range = range
        self.grayscale = grayscale?.map { Double($0) }
        self.layout = layout
        self.alpha = alpha
        self.alphaByMagnitude = alphaByMagnitude
        self.rendering = rendering
        self.colorBarLabel = colorBarLabel
        self.showColorBar = showColorBar
        self.panelTitles = panelTitles
    }

    private enum Panel { case image, heat, overlay }

    /// Renders the chart as a standalone, scalable `<svg>` element.
    public func svg(width: Int = 480, height: Int = 300) -> String {
        var doc = SVGDocument(width: width, height: height, title: title)
        let W = Double(max(1, width)), H = Double(max(1, height))
        var top = 8.0
        if let title, !title.isEmpty {
            doc.text(title, x: 8, y: top + 14, size: 14, weight: "600", maxWidth: W - 16)
            top += 26
        }
        let valid = rows > 0 && cols > 0 && values.count == rows * cols && values.contains { $0.isFinite }
        guard valid else {
            doc.placeholder(x: 8, y: top, width: max(0, W - 16), height: max(0, H - top - 8))
            return doc.render()
        }
        let gray = grayscale.flatMap { $0.count == rows * cols ? $0 : nil }
        let panels: [Panel]
        switch (gray, layout) {
        case (nil, _): panels = [.heat]
        case (_, .overlay): panels = [.overlay]
        case (_, .sideBySide): panels = [.image, .heat]
        case (_, .all): panels = [.image, .heat, .overlay]
        }
        let range = self.range.flatMap { $0.lowerBound.isFinite && $0.upperBound.isFinite && $0.lowerBound < $0.upperBound ? $0 : nil }
            ?? colormap.defaultRange(for: values)
        let bar = ColorBar(colormap: colormap, range: range, label: colorBarLabel)
        let barW = 14.0
        let barSpace = showColorBar ? 16 + barW + bar.decorationSize() : 0
        let captionH = panels.count > 1 ? 18.0 : 0
        let gap = 12.0
        let availW = W - 16 - barSpace - gap * Double(panels.count - 1)
        let availH = H - top - 8 - captionH
        let cell = max(0.5, min(availW / Double(cols * panels.count), availH / Double(rows)))
        let pw = cell * Double(cols), ph = cell * Double(rows)
        let defaultTitles = panels.map { p -> String in
            switch p { case .image: "input"; case .heat: "heat map"; case .overlay: "overlay" }
        }
        for (k, p) in panels.enumerated() {
            let x = 8 + Double(k) * (pw + gap), y = top + captionH
            if captionH > 0 {
                let t = panelTitles.flatMap { k < $0.count ? $0[k] : nil } ?? defaultTitles[k]
                doc.text(t, x: x + pw / 2, y: top + 12, size: 12, anchor: .middle, fill: "#444444", maxWidth: pw + gap - 2)
            }
            drawPanel(p, into: &doc, x: x, y: y, w: pw, h: ph, range: range, gray: gray)
            doc.rect(x: x, y: y, width: pw, height: ph, fill: nil, stroke: "#999999", strokeWidth: 0.5)
        }
        if showColorBar {
            let bx = 8 + Double(panels.count) * pw + Double(panels.count - 1) * gap + 16
            bar.draw(into: &doc, x: bx, y: top + captionH, width: barW, height: ph)
        }
        return doc.render()
    }

    private func drawPanel(_ panel: Panel, into doc: inout SVGDocument, x: Double, y: Double, w: Double, h: Double,
                           range: ClosedRange<Double>, gray: [Double]?) {
        switch rendering {
        case .png(let scale):
            let s = scale ?? max(1, min(16, 256 / max(rows, cols)))
            let png: Data?
            switch panel {
            case .image: png = try? grayscalePNG(values: gray ?? [], width: cols, height: rows, scale: s)
            case .heat: png = try? heatMapPNG(values: values, width: cols, height: rows, colormap: colormap, range: range, scale: s)
            case .overlay:
                png = try? heatMapPNG(values: values, width: cols, height: rows, colormap: colormap, range: range, scale: s,
                                      overlayOn: gray, alpha: alpha, alphaByMagnitude: alphaByMagnitude)
            }
            if let png { doc.image(href: PNGEncoder.dataURI(png), x: x, y: y, width: w, height: h) }
        case .rects:
            let cw = w / Double(cols), ch = h / Double(rows)
            let maxAbs = max(abs(range.lowerBound), abs(range.upperBound))
            doc.open("g", [("shape-rendering", "crispEdges")])
            for r in 0..<rows {
                for c in 0..<cols {
                    let i = r * cols + c
                    let v = values[i]
                    var rgb: RGB
                    switch panel {
                    case .image:
                        let gv = gray?[i] ?? 0
                        let g = UInt8(((gv.isFinite ? max(0, min(1, gv)) : 0) * 255).rounded())
                        rgb = RGB(g, g, g)
                    case .heat:
                        rgb = v.isFinite ? colormap.color(for: v, in: range) : colormap.color(at: 0.5)
                    case .overlay:
                        let gv = gray?[i] ?? 0
                        let g = (gv.isFinite ? max(0, min(1, gv)) : 0) * 255
                        var a = v.isFinite ? alpha : 0
                        if alphaByMagnitude, maxAbs > 0, v.isFinite { a *= min(1, abs(v) / maxAbs) }
                        let hc = v.isFinite ? colormap.color(for: v, in: range) : RGB(0, 0, 0)
                        func mix(_ c: UInt8) -> UInt8 { UInt8((g + (Double(c) - g) * a).rounded()) }
                        rgb = RGB(mix(hc.r), mix(hc.g), mix(hc.b))
                    }
                    // Slight overlap hides hairline seams between cells.
                    doc.element("rect", [("x", SVGText.coord(x + Double(c) * cw)), ("y", SVGText.coord(y + Double(r) * ch)),
                                         ("width", SVGText.coord(cw + 0.2)), ("height", SVGText.coord(ch + 0.2)), ("fill", rgb.hex)])
                }
            }
            doc.close("g")
        }
    }
}
