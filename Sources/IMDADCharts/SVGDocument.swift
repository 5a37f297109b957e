import Foundation
import IMDADData

// MARK: - Escaping and formatting

/// Text helpers shared by every chart: XML escaping, compact number formatting and
/// a crude text-width estimate used to keep labels inside their boxes.
public enum SVGText {
    /// Escapes `&`, `<`, `>`, `"` and `'` so that `text` is safe both as element content and
    /// as a (double- or single-quoted) attribute value. Characters that XML 1.0 forbids
    /// (C0 controls other than tab, newline and carriage return, lone surrogates, U+FFFE/U+FFFF)
    /// are replaced by U+FFFD so that user-supplied CSV headers can never break the document.
    public static func escape(_ text: String) -> String {
        var out = String()
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF || (0x7F...0x9F).contains(v) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Formats a coordinate with at most one decimal (`12`, `12.3`, `-0.5`); non-finite input gives `0`.
    /// Coordinates are the bulk of a chart's bytes, so this is kept short and locale-free.
    public static func coord(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let clamped = max(-1e9, min(1e9, value))
        let tenths = Int((clamped * 10).rounded())
        if tenths % 10 == 0 { return String(tenths / 10) }
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        return "\(sign)\(a / 10).\(a % 10)"
    }

    /// Formats a value for display (legends, bar values) with `digits` significant digits,
    /// switching to exponent notation for very large or very small magnitudes. Non-finite → "–".
    public static func number(_ value: Double, significantDigits digits: Int = 3) -> String {
        guard value.isFinite else { return "–" }
        if value == 0 { return "0" }
        let mag = abs(value)
        if mag >= 1e6 || mag < 1e-4 {
            return Format.cleanExponent(Format.exponent(value, digits: max(0, digits - 1)))
        }
        return Format.significant(value, digits: digits)
    }

    /// Estimated rendered width of `text` in a sans-serif font of `fontSize` pixels.
    /// Deliberately a little generous so that estimated-to-fit text really fits.
    public static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        var units = 0.0
        for s in text.unicodeScalars { units += charWidth(s) }
        return units * fontSize
    }

    private static func charWidth(_ s: Unicode.Scalar) -> Double {
        let v = s.value
        switch v {
        case 0x20: return 0.3
        case 0x2E, 0x2C, 0x3A, 0x3B, 0x27, 0x69, 0x6A, 0x6C, 0x7C, 0x21, 0x49: return 0.3  // . , : ; ' i j l | ! I
        case 0x66, 0x72, 0x74, 0x28, 0x29, 0x5B, 0x5D: return 0.4                            // f r t ( ) [ ]
        case 0x6D, 0x77, 0x4D, 0x57, 0x40: return 0.9                                        // m w M W @
        case 0x41...0x5A: return 0.7
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0x1F300...0x1FAFF:
            return 1.0
        default: return 0.6
        }
    }

    /// Shortens `text` with a trailing ellipsis so that its estimated width is at most `maxWidth`.
    /// Returns the possibly shortened text and whether it was shortened.
    public static func truncate(_ text: String, maxWidth: Double, fontSize: Double) -> (text: String, truncated: Bool) {
        if estimatedWidth(text, fontSize: fontSize) <= maxWidth { return (text, false) }
        let ellipsis = "…"
        let budget = maxWidth - estimatedWidth(ellipsis, fontSize: fontSize)
        guard budget > 0 else { return ("", true) }
        var used = 0.0
        var out = String()
        for ch in text {
            let w = estimatedWidth(String(ch), fontSize: fontSize)
            if used + w > budget { break }
            used += w
            out.append(ch)
        }
        while out.last == " " { out.removeLast() }
        return (out.isEmpty ? ellipsis : out + ellipsis, true)
    }
}

// MARK: - Document builder

/// Horizontal alignment of a text element (`text-anchor`).
public enum TextAnchor: String, Sendable {
    case start, middle, end
}

/// A minimal SVG builder. Every method escapes the text and attribute values it receives,
/// so callers can pass raw user strings (feature names from CSV headers) safely.
///
/// The rendered `<svg>` has a `viewBox` of `0 0 width height`, `width="100%"` and a
/// `max-width` of its nominal width, so it scales down on narrow screens and never up.
/// Clipping is done with nested `<svg>` viewports, so documents use no `id`s and many of
/// them can be inlined into one HTML page without collisions.
public struct SVGDocument: Sendable {
    /// Nominal width and height in CSS pixels (also the `viewBox` size).
    public let width: Int
    public let height: Int
    /// Accessible name (`aria-label`) and tooltip of the whole graphic.
    public var title: String?
    /// Background fill of the whole canvas, or `nil` for transparent.
    public var background: String? = "#ffffff"
    /// The markup accumulated so far (the content between `<svg>` and `</svg>`).
    public private(set) var body: String = ""

    /// Default font stack.
    public static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

    public init(width: Int, height: Int, title: String? = nil) {
        self.width = max(1, width)
        self.height = max(1, height)
        self.title = title
        body.reserveCapacity(4096)
    }

    /// Appends an element. Attribute values (and `text`) are escaped; `nil` values are skipped.
    /// `text` becomes the element's content; otherwise the element is self-closing.
    public mutating func element(_ name: String, _ attributes: [(String, String?)], text: String? = nil) {
        body += "<" + name
        appendAttributes(attributes)
        if let text {
            body += ">" + SVGText.escape(text) + "</" + name + ">"
        } else {
            body += "/>"
        }
    }

    /// Opens a container element (`g`, nested `svg`, …); close it with `close(_:)`.
    public mutating func open(_ name: String, _ attributes: [(String, String?)] = []) {
        body += "<" + name
        appendAttributes(attributes)
        body += ">"
    }

    /// Closes a container opened with `open(_:_:)`.
    public mutating func close(_ name: String) {
        body += "</" + name + ">"
    }

    /// Appends pre-built markup verbatim. Only for trusted, already well-formed fragments
    /// (for example another document's `body`).
    public mutating func raw(_ markup: String) {
        body += markup
    }

    private mutating func appendAttributes(_ attributes: [(String, String?)]) {
        for (k, v) in attributes {
            guard let v else { continue }
            body += " " + k + "=\"" + SVGText.escape(v) + "\""
        }
    }

    /// A rectangle; `tooltip` adds a `<title>` child shown on hover.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double,
                              fill: String?, stroke: String? = nil, strokeWidth: Double? = nil,
                              opacity: Double? = nil, tooltip: String? = nil) {
        let attrs: [(String, String?)] = [
            ("x", SVGText.coord(x)), ("y", SVGText.coord(y)),
            ("width", SVGText.coord(max(0, width))), ("height", SVGText.coord(max(0, height))),
            ("fill", fill ?? "none"), ("stroke", stroke), ("stroke-width", strokeWidth.map(SVGText.coord)),
            ("fill-opacity", opacity.map { SVGText.number($0) }),
        ]
        if let tooltip {
            open("rect", attrs)
            element("title", [], text: tooltip)
            close("rect")
        } else {
            element("rect", attrs)
        }
    }

    /// A straight line segment.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                              width: Double = 1, dash: String? = nil, opacity: Double? = nil) {
        element("line", [
            ("x1", SVGText.coord(x1)), ("y1", SVGText.coord(y1)), ("x2", SVGText.coord(x2)), ("y2", SVGText.coord(y2)),
            ("stroke", stroke), ("stroke-width", SVGText.number(width)), ("stroke-dasharray", dash),
            ("stroke-opacity", opacity.map { SVGText.number($0) }),
        ])
    }

    /// A path with path data `d` (built by the caller from numbers only).
    public mutating func path(_ d: String, fill: String? = nil, fillOpacity: Double? = nil,
                              stroke: String? = nil, strokeWidth: Double? = nil, strokeOpacity: Double? = nil,
                              dash: String? = nil, lineCap: String? = nil, lineJoin: String? = nil,
                              tooltip: String? = nil) {
        let attrs: [(String, String?)] = [
            ("d", d), ("fill", fill ?? "none"), ("fill-opacity", fillOpacity.map { SVGText.number($0) }),
            ("stroke", stroke), ("stroke-width", strokeWidth.map { SVGText.number($0) }),
            ("stroke-opacity", strokeOpacity.map { SVGText.number($0) }), ("stroke-dasharray", dash),
            ("stroke-linecap", lineCap), ("stroke-linejoin", lineJoin),
        ]
        if let tooltip {
            open("path", attrs)
            element("title", [], text: tooltip)
            close("path")
        } else {
            element("path", attrs)
        }
    }

    /// A circle.
    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil, opacity: Double? = nil) {
        element("circle", [
            ("cx", SVGText.coord(cx)), ("cy", SVGText.coord(cy)), ("r", SVGText.number(r)),
            ("fill", fill), ("stroke", stroke), ("fill-opacity", opacity.map { SVGText.number($0) }),
        ])
    }

    /// A text label. With `maxWidth`, over-long text is truncated with an ellipsis and the full
    /// text is attached as a `<title>` tooltip. `rotate` (degrees) turns the text about (x, y).
    /// `y` is the baseline; pass `dy: "0.35em"` to centre vertically.
    public mutating func text(_ string: String, x: Double, y: Double, size: Double = 12,
                              anchor: TextAnchor = .start, fill: String = "#222222",
                              weight: String? = nil, rotate: Double? = nil, dy: String? = nil,
                              maxWidth: Double? = nil, italic: Bool = false, halo: Bool = false) {
        var shown = string
        var truncated = false
        if let maxWidth {
            (shown, truncated) = SVGText.truncate(string, maxWidth: maxWidth, fontSize: size)
        }
        if shown.isEmpty && !truncated { return }
        let attrs: [(String, String?)] = [
            ("x", SVGText.coord(x)), ("y", SVGText.coord(y)), ("dy", dy),
            ("font-size", SVGText.number(size)), ("text-anchor", anchor == .start ? nil : anchor.rawValue),
            ("fill", fill), ("font-weight", weight), ("font-style", italic ? "italic" : nil),
            ("stroke", halo ? "#ffffff" : nil), ("stroke-width", halo ? "3" : nil), ("paint-order", halo ? "stroke" : nil),
            ("stroke-linejoin", halo ? "round" : nil),
            ("transform", rotate.map { "rotate(\(SVGText.number($0)) \(SVGText.coord(x)) \(SVGText.coord(y)))" }),
        ]
        if truncated {
            open("g")
            element("title", [], text: string)
            element("text", attrs, text: shown)
            close("g")
        } else {
            element("text", attrs, text: shown)
        }
    }

    /// An embedded raster image (typically a PNG data URI from `PNGEncoder.dataURI`).
    /// `pixelated` asks the browser not to smooth it when scaling.
    public mutating func image(href: String, x: Double, y: Double, width: Double, height: Double,
                               pixelated: Bool = true, preserveAspectRatio: String = "none", opacity: Double? = nil) {
        element("image", [
            ("x", SVGText.coord(x)), ("y", SVGText.coord(y)), ("width", SVGText.coord(width)), ("height", SVGText.coord(height)),
            ("preserveAspectRatio", preserveAspectRatio), ("opacity", opacity.map { SVGText.number($0) }),
            ("style", pixelated ? "image-rendering:pixelated;image-rendering:crisp-edges" : nil),
            ("href", href),
        ])
    }

    /// Opens a nested `<svg>` viewport at (x, y) of the given size; content is clipped to it and
    /// its coordinates are relative to its top-left corner. Close with `close("svg")`.
    public mutating func openViewport(x: Double, y: Double, width: Double, height: Double) {
        open("svg", [("x", SVGText.coord(x)), ("y", SVGText.coord(y)),
                     ("width", SVGText.coord(max(0, width))), ("height", SVGText.coord(max(0, height))),
                     ("overflow", "hidden")])
    }

    /// A centred, muted "No data" message (used by every chart when nothing finite is left to draw).
    public mutating func placeholder(_ message: String = "No data", x: Double, y: Double, width: Double, height: Double) {
        rect(x: x, y: y, width: width, height: height, fill: "#f7f7f7", stroke: "#dddddd")
        text(message, x: x + width / 2, y: y + height / 2, size: 13, anchor: .middle, fill: "#777777",
             dy: "0.35em", maxWidth: max(0, width - 8), italic: true)
    }

    /// The complete `<svg>` element.
    public func render() -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\""
        s += " style=\"max-width:\(width)px;height:auto;display:block\" role=\"img\""
        if let title { s += " aria-label=\"" + SVGText.escape(title) + "\"" }
        s += " font-family=\"" + SVGText.escape(SVGDocument.fontFamily) + "\" font-size=\"12\">"
        if let title { s += "<title>" + SVGText.escape(title) + "</title>" }
        if let background { s += "<rect width=\"\(width)\" height=\"\(height)\" fill=\"" + SVGText.escape(background) + "\"/>" }
        s += body
        s += "</svg>"
        return s
    }
}
