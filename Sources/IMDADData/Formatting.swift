// The one number formatter: every printed or rendered number (CLI progress and tables, report
// text, chart labels and SVG attributes) is spelled by these functions, which are thin,
// locale-independent wrappers over C's printf conversions.

import Foundation

/// Number formatting shared by the CLI, the reports and the charts.
public enum Format {
    /// `x` with exactly `digits` decimals, as printf `%.<digits>f` ("0.950", "-0.0", "nan", "inf").
    public static func fixed(_ x: Double, digits: Int) -> String {
        if let s = roundedFixed(x, digits: digits) { return s }
        return printf(digits < fixedFormats.count ? fixedFormats[Swift.max(0, digits)] : "%.\(digits)f", x)
    }

    /// printf's "%.0f" … "%.9f", spelled once.
    static let fixedFormats = (0...9).map { "%.\($0)f" }

    /// `%.<d>f` without printf, for d in 0…6 and |x|·10ᵈ < 2⁵²; nil otherwise (and for NaN, ±∞).
    /// printf rounds the exact binary value of `x` to `d` decimals, ties to even. Here `t = fl(x·10ᵈ)`
    /// and its rounding error `e` (a fused multiply-add: `x·10ᵈ = t + e` exactly) give that exact
    /// value; `r`, `t` rounded to the nearest integer (ties to even), is right unless `t` lies exactly
    /// halfway, `t − r = ±½`, where the sign of `e` decides (and `e = 0` is a true tie, `r` even).
    /// Elsewhere |t − r| ≤ ½ − ulp(t) and |e| ≤ ulp(t)/2 keep the exact value on `r`'s side. The
    /// sign is printed for every negative `x`, −0 included, as printf does ("-0.0"). 1,000 rows of
    /// percentiles through printf took 15 % of a `imdad serve` request (perf, experiments/serve/README.md);
    /// `FormatPrintfTests` compares the two on over a million values, ties and their neighbours.
    static func roundedFixed(_ x: Double, digits d: Int) -> String? {
        guard (0...6).contains(d), x.isFinite else { return nil }
        let p = CSVCore.pow10[d]  // exact
        let t = x * p
        guard abs(t) < 4_503_599_627_370_496 else { return nil }  // 2⁵²
        let e = (-t).addingProduct(x, p)
        var r = t.rounded(.toNearestOrEven)
        let half = t - r
        if half == 0.5, e > 0 { r += 1 } else if half == -0.5, e < 0 { r -= 1 }
        let n = UInt64(abs(r)), scale = UInt64(p)
        var text = x.sign == .minus ? "-" : ""
        text += String(n / scale)
        if d > 0 {
            let fraction = String(n % scale)
            text += "."
            text += String(repeating: "0", count: d - fraction.count)
            text += fraction
        }
        return text
    }

    /// One printf conversion of `x`: C's `vsnprintf` in the C locale (a process that never calls
    /// `setlocale`), the same text as `String(format:)` at a fraction of its cost (`imdad serve`
    /// formats a percentile per row); `String(format:)` when the text is longer than the buffer.
    static func printf(_ format: String, _ x: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf in
            let n = withVaList([x]) { vsnprintf(buf.baseAddress, 64, format, $0) }
            guard n >= 0, n < 64 else { return String(format: format, x) }
            return String(decoding: UnsafeRawBufferPointer(start: buf.baseAddress, count: Int(n)), as: UTF8.self)
        }
    }

    /// `x` with exactly `digits` decimals (a `Float` widened to `Double` first).
    public static func fixed(_ x: Float, digits: Int) -> String {
        fixed(Double(x), digits: digits)
    }

    /// `x` in the shortest of fixed and exponent notation with up to six significant digits, as
    /// printf `%g` ("0.7", "10", "1e-05").
    public static func general(_ x: Double) -> String { printf("%g", x) }

    /// `x` (a `Float` widened to `Double` first) as ``general(_:)`` spells it.
    public static func general(_ x: Float) -> String { general(Double(x)) }

    /// `x` in exponent notation with `digits` mantissa decimals, as printf `%.<digits>e` ("2.50e-05").
    public static func exponent(_ x: Double, digits: Int) -> String {
        printf("%.\(Swift.max(0, digits))e", x)
    }

    /// `x` with `digits` significant digits in fixed notation (decimals = digits − 1 − ⌊log₁₀|x|⌋,
    /// at least 0), trailing zeros and a trailing point removed, "-0" written "0". Callers choose
    /// the magnitudes for which fixed notation is right; `x` should be finite and nonzero.
    public static func significant(_ x: Double, digits: Int) -> String {
        let decimals = Swift.max(0, digits - 1 - Int(floor(log10(abs(x)))))
        let s = trimmingZeros(fixed(x, digits: decimals))
        return s == "-0" ? "0" : s
    }

    /// Removes trailing zeros after a decimal point, then the point itself: "1.500" → "1.5",
    /// "2.000" → "2"; strings without a point are returned unchanged.
    public static func trimmingZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// Turns printf exponent notation into its shortest form: `2.50e-05` → `2.5e-5`, `1.0e+09` → `1e9`.
    public static func cleanExponent(_ s: String) -> String {
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return s }
        let mantissa = trimmingZeros(String(s[..<e]))
        var exponent = String(s[s.index(after: e)...])
        var sign = ""
        if exponent.hasPrefix("+") { exponent.removeFirst() } else if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() }
        while exponent.count > 1 && exponent.hasPrefix("0") { exponent.removeFirst() }
        return "\(mantissa)e\(sign)\(exponent)"
    }

    /// `v` as `width` lower-case hexadecimal digits, zero-padded, as printf `%0<width>x`.
    public static func hex<T: BinaryInteger>(_ v: T, width: Int) -> String {
        let s = String(v, radix: 16)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `s` as a JSON string literal, escaped as Foundation's `JSONEncoder` escapes it by default
    /// (`"`, `\`, `/`, the short escapes `\b \f \n \r \t`, other control characters as
    /// `\u00XX`), so files written either way are byte-identical; no encoder is made per call.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += "\\u00" + hex(u.value, width: 2)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// `s` as a CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote or
    /// a line break; as it is otherwise.
    public static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
