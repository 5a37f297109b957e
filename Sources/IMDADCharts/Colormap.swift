import Foundation

/// An 8-bit RGB colour.
public struct RGB: Sendable, Equatable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
    /// From `0xRRGGBB`.
    public init(hex: UInt32) { self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF)) }
    /// `#rrggbb`.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for c in [r, g, b] { s.append(digits[Int(c >> 4)]); s.append(digits[Int(c & 15)]) }
        return s
    }
}

/// Maps scalars to colours by linear interpolation between evenly spaced stops.
public struct Colormap: Sendable, Equatable {
    /// Colours at positions 0, 1/(n−1), …, 1.
    public let stops: [RGB]
    /// Whether the map is meant for signed data centred on zero (the default value range is then symmetric).
    public let isDiverging: Bool

    public init(stops: [RGB], diverging: Bool = false) {
        precondition(!stops.isEmpty, "a colormap needs at least one stop")
        self.stops = stops
        self.isDiverging = diverging
    }

    /// Blue (negative) – white (zero) – red (positive), after ColorBrewer RdBu; colour-blind safe.
    public static let diverging = Colormap(stops: [
        0x053061, 0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B, 0x67001F,
    ].map { RGB(hex: $0) }, diverging: true)

    /// Perceptually uniform dark-purple → green → yellow sequential map (viridis samples).
    public static let viridis = Colormap(stops: [
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725,
    ].map { RGB(hex: $0) })

    /// Black → white.
    public static let grayscale = Colormap(stops: [RGB(0, 0, 0), RGB(255, 255, 255)])

    /// Colour at position `t` in `[0, 1]` (clamped; NaN maps to the middle).
    public func color(at t: Double) -> RGB {
        guard stops.count > 1 else { return stops[0] }
        let u = t.isNaN ? 0.5 : min(1, max(0, t))
        let pos = u * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(pos))
        let f = pos - Double(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8(max(0, min(255, (Double(x) + (Double(y) - Double(x)) * f).rounded()))) }
        return RGB(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b))
    }

    /// Colour of `value` within `range` (its ends map to the ends of the colormap).
    public func color(for value: Double, in range: ClosedRange<Double>) -> RGB {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return color(at: 0.5) }
        return color(at: (value - range.lowerBound) / span)
    }

    /// The value range to use for `values`: for a diverging map `-m...m` with m = max |v|
    /// (so zero is white), otherwise `min...max`. Non-finite values are ignored; never empty or NaN.
    public func defaultRange<S: Sequence>(for values: S) -> ClosedRange<Double> where S.Element: BinaryFloatingPoint {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values {
            let d = Double(v)
            guard d.isFinite else { continue }
            lo = min(lo, d); hi = max(hi, d)
        }
        guard lo <= hi else { return isDiverging ? -1...1 : 0...1 }
        if isDiverging {
            let m = max(abs(lo), abs(hi))
            return m > 0 ? -m...m : -1...1
        }
        return lo < hi ? lo...hi : (lo - 0.5)...(hi + 0.5)
    }
}
