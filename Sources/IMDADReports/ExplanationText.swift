// The plain-text form of an explanation (what `imdad explain` prints).

import Foundation
import IMDADData
import IMDADCharts
import IMDADDetectors

/// Number formatting shared by the text and HTML renderings: 4 significant digits, no exponent
/// for moderate magnitudes, "−" never used (plain ASCII minus, so values can be copied).
enum ReportFormat {
    static func number<T: BinaryFloatingPoint>(_ v: T, digits: Int = 4) -> String {
        let x = Double(v)
        guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "∞" : "-∞") }
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1e-4 && a < 1e7 {
            return Format.significant(x, digits: digits)
        }
        return Format.exponent(x, digits: digits - 1)
    }

    static func signed<T: BinaryFloatingPoint>(_ v: T, digits: Int = 4) -> String {
        let s = number(v, digits: digits)
        return Double(v) > 0 ? "+" + s : s
    }

    static func percent(_ v: Double, digits: Int = 3) -> String { number(100 * v, digits: digits) + " %" }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let n = s.count
        guard n < width else { return s }
        let fill = String(repeating: " ", count: width - n)
        return right ? fill + s : s + fill
    }

    static func zoneDescription(_ zone: Zone, marginSquared: Float) -> String {
        switch zone {
        case .inside: return "inside the sphere (s ≤ 0)"
        case .marginBand: return "in the margin band (0 < s < ρ² = \(number(marginSquared)))"
        case .outside: return "outside the margin (s ≥ ρ² = \(number(marginSquared)))"
        }
    }
}

extension Explanation {
    /// A readable report of this explanation; `top` limits the feature and dimension lists.
    public func text(top: Int = 10) -> String {
        typealias F = ReportFormat
        var out: [String] = []
        let idText = (ids ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        out.append("Row \(row ?? sample + 1)\(idText.isEmpty ? "" : " (\(idText))"): score s = \(F.number(score)), "
                   + F.zoneDescription(zone, marginSquared: marginSquared))
        let r = max(radiusSquared, 0).squareRoot()
        let outer = max(radiusSquared + marginSquared, 0).squareRoot()
        out.append("  distance ‖φ − c‖ = \(F.number(distance))   (R = \(F.number(r)), √(R² + ρ²) = \(F.number(outer)); "
                   + "s = ‖φ − c‖² − R² = \(F.number(distanceSquared)) − \(F.number(radiusSquared)))")
        let dims = contributions.indices.sorted { contributions[$0] > contributions[$1] }.prefix(top)
        let total = Double(max(distanceSquared, .leastNonzeroMagnitude))
        out.append("  representation dimensions by contribution (φₖ − cₖ)² to ‖φ − c‖²:")
        out.append("    " + dims.map { "k=\($0): \(F.number(contributions[$0])) (\(F.percent(Double(contributions[$0]) / total)))" }
            .joined(separator: ", "))
        out.append("  input attributions (integrated gradients: \(integrationSteps) steps from the \(baseline.rawValue) baseline, "
                   + "s(x′) = \(F.number(baselineScore)); completeness gap s(x) − s(x′) − Σ IG = \(F.number(completenessGap)))")
        let showRaw = features.contains { $0.rawValue != nil }
        let ranked = ranked(by: .integratedGradients).prefix(top)
        let nameW = min(28, max(7, ranked.map(\.name.count).max() ?? 7))
        var header = "    " + F.pad("rank", 5) + F.pad("feature", nameW + 2) + F.pad("value", 11, right: true)
        if showRaw { header += F.pad("raw", 12, right: true) }
        header += F.pad("baseline", 11, right: true) + F.pad("IG", 12, right: true)
            + F.pad("grad×input", 12, right: true) + F.pad("rank g×i", 10, right: true)
        out.append(header)
        for f in ranked {
            var name = f.name
            if name.count > nameW { name = String(name.prefix(nameW - 1)) + "…" }
            var line = "    " + F.pad("\(f.integratedGradientsRank)", 5) + F.pad(name, nameW + 2)
                + F.pad(F.number(f.value), 11, right: true)
            if showRaw { line += F.pad(f.rawValue.map { F.number($0) } ?? "", 12, right: true) }
            line += F.pad(F.number(f.baselineValue), 11, right: true) + F.pad(F.signed(f.integratedGradients), 12, right: true)
                + F.pad(F.signed(f.gradientTimesInput), 12, right: true) + F.pad("\(f.gradientTimesInputRank)", 10, right: true)
            out.append(line)
        }
        if features.count > ranked.count { out.append("    … \(features.count - ranked.count) more features") }
        out.append("  (+ raises the anomaly score, − lowers it; values are in the scaled feature space"
                   + (showRaw ? ", raw = original units)" : ")"))
        return out.joined(separator: "\n")
    }
}
