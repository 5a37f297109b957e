// The section the report opens with: a plain summary of what was scored and what stands out.
//
// Rows scored; how many fall inside the sphere, in the margin band and outside the margin (and,
// with labels, how many of each are labeled anomalies); what the model did on its own training
// data, as stored in the model file at training time; the highest-scoring rows with their row
// numbers (1-based, as `imdad score` numbers them), their ids and the features that drive them.
// Every number comes from the `ReportSummary`.

import Foundation
import IMDADCharts
import IMDADDetectors

extension ReportSections {
    /// How many features are named per row in the summary's "driven by" column.
    static let driversShown = 3

    /// Row `e`'s number as people read it (1-based).
    static func rowNumber(_ e: Explanation) -> Int { e.row ?? e.sample + 1 }

    /// Row `e`'s id texts in the summary's id-column order.
    static func idTexts(_ e: Explanation, columns: [String]) -> [String] {
        columns.map { e.ids?[$0] ?? "" }
    }

    /// "row 12 (id A-17)" for headings.
    static func rowTitle(_ e: Explanation, columns: [String]) -> String {
        let ids = zip(columns, idTexts(e, columns: columns)).map { "\($0) \($1)" }.joined(separator: ", ")
        return "row \(rowNumber(e))" + (ids.isEmpty ? "" : " (\(ids))")
    }

    /// The features with the largest |integrated gradients|, signed: "gamma +0.41, zeta +0.33".
    static func drivers(_ e: Explanation, count: Int = driversShown) -> String {
        e.ranked(by: .integratedGradients).prefix(count)
            .map { "\($0.name) \(F.signed($0.integratedGradients, digits: 3))" }.joined(separator: ", ")
    }

    /// The number of rows in plain words: "1 row", "340 rows".
    static func rows(_ n: Int) -> String { n == 1 ? "1 row" : "\(n) rows" }

    static func overview(_ s: ReportSummary, into page: inout ReportPage) {
        let z = s.zones, n = s.sampleCount
        let flagged = z.marginBand + z.outside
        page.raw("<section id=\"summary\"><h2>Summary</h2>")
        page.raw("<p class=\"lead\">\(esc(rows(n))) of \(esc(s.dataName)) scored: <b>\(z.inside)</b> inside the sphere "
                 + "(<span class=\"math\">s ≤ 0</span>), <b>\(z.marginBand)</b> in the margin band "
                 + "(<span class=\"math\">0 &lt; s &lt; ρ²</span>), <b>\(z.outside)</b> outside the margin "
                 + "(<span class=\"math\">s ≥ ρ²</span>). The sphere flags <b>\(flagged)</b> "
                 + "(<span class=\"math\">s &gt; 0</span>, \(esc(F.percent(z.flaggedFraction)))).</p>")
        var header = ["zone", "rows", "share"]
        if s.anomalyZones != nil { header += ["labeled anomalies", "labeled normal"] }
        func line(_ name: String, _ count: Int, _ anomalies: Int?) -> [String] {
            var r = [name, "\(count)", n > 0 ? F.percent(Double(count) / Double(n)) : "n/a"]
            if let anomalies { r += ["\(anomalies)", "\(count - anomalies)"] }
            return r
        }
        let a = s.anomalyZones
        page.table(header: header, rows: [
            line("inside (s ≤ 0)", z.inside, a?.inside),
            line("margin band (0 < s < ρ²)", z.marginBand, a?.marginBand),
            line("outside (s ≥ ρ²)", z.outside, a?.outside),
            line("all rows", z.total, a?.total),
        ], nameColumns: [0])
        trainingNote(s, into: &page)
        topRows(s, into: &page)
        page.raw("</section>")
    }

    /// What the model did on its own training data: the summary stored at training time, or a
    /// plain statement that the model file lacks it.
    static func trainingNote(_ s: ReportSummary, into page: inout ReportPage) {
        if let t = s.storedTraining {
            var text = "Training (stored in the model file at training time): \(rows(t.rows)), \(t.normals) normal or unlabeled"
                + (t.labeledAnomalies > 0 ? " and \(t.labeledAnomalies) labeled anomal\(t.labeledAnomalies == 1 ? "y" : "ies")" : "")
                + "."
            if let nz = t.normalZones.map(ReportSummary.ZoneCounts.init(stored:)) {
                text += " Of the training normals, \(nz.inside) fell inside the sphere, \(nz.marginBand) in the margin band and "
                    + "\(nz.outside) outside the margin: the sphere flags \(nz.marginBand + nz.outside) of them "
                    + "(\(F.percent(nz.flaggedFraction)))."
            }
            if let az = t.anomalyZones.map(ReportSummary.ZoneCounts.init(stored:)), az.total > 0 {
                text += " Of the labeled anomalies, \(az.outside) fell outside the margin, \(az.marginBand) in the margin band "
                    + "and \(az.inside) inside the sphere."
            }
            page.raw("<p>\(esc(text))</p>")
        } else if let t = s.trainingZones {
            let text = "Training rows given to the report: \(rows(t.total)); \(t.inside) inside the sphere, "
                + "\(t.marginBand) in the margin band, \(t.outside) outside the margin (\(F.percent(t.flaggedFraction)) flagged)."
            page.raw("<p>\(esc(text))</p>")
        } else {
            page.raw("<p class=\"note\">This model file does not store what the model did on its training data (it was "
                     + "written before training summaries were stored), so the report shows no training zones or score "
                     + "quantiles. Train the model again to see them.</p>")
        }
    }

    /// The highest-scoring rows with their row numbers, ids, zones and the features that drive them.
    static func topRows(_ s: ReportSummary, into page: inout ReportPage) {
        let top = s.topAnomalies
        guard !top.isEmpty else { return }
        let flagged = top.filter { $0.score > 0 }.count
        let allFlagged = s.zones.marginBand + s.zones.outside
        var intro = "The \(top.count == 1 ? "highest-scoring row" : "\(top.count) highest-scoring rows")"
        if allFlagged == 0 {
            intro += ": none is flagged, every row lies inside the sphere."
        } else if flagged < top.count {
            intro += ": \(flagged) of them flagged (s > 0), the others inside the sphere."
        } else {
            intro += (top.count == 1 ? ", flagged" : ", all flagged") + " (s > 0)."
        }
        intro += " Rows are numbered from 1 among the file's data rows, as imdad score numbers them; "
            + "“driven by” lists the features with the largest integrated-gradients attributions (+ raises the score)."
        page.raw("<h3>Highest-scoring rows</h3><p class=\"note\">\(esc(intro))</p>")
        var header = ["#", "row"] + s.idColumns + ["score s", "zone"]
        let percentile = s.storedTraining.map { !$0.normalScoreQuantiles.isEmpty } ?? false
        if percentile { header.append("percentile among training normals") }
        if s.labels != nil { header.append("label") }
        header.append("driven by")
        let rows: [[String]] = top.enumerated().map { rank, e in
            var r = ["\(rank + 1)", "\(rowNumber(e))"] + idTexts(e, columns: s.idColumns)
            r += [F.number(e.score), e.zone.rawValue]
            if percentile, let t = s.storedTraining { r.append(F.number(t.percentile(e.score), digits: 4) + " %") }
            if let labels = s.labels { r.append(labels[e.sample] == 1 ? "anomaly" : "normal") }
            r.append(drivers(e))
            return r
        }
        page.table(header: header, rows: rows, nameColumns: Set(2..<(2 + s.idColumns.count)).union([header.count - 1]))
    }

    /// The training normals' stored score quantiles next to this data's, at the same levels.
    static func quantileTable(_ s: ReportSummary, into page: inout ReportPage) {
        guard let t = s.storedTraining, t.normalScoreQuantiles.count == TrainingSummary.quantileSteps + 1 else { return }
        let levels: [(String, Double)] = [("min", 0), ("1 %", 0.01), ("5 %", 0.05), ("25 %", 0.25), ("median", 0.5),
                                          ("75 %", 0.75), ("95 %", 0.95), ("99 %", 0.99), ("max", 1)]
        let steps = Double(TrainingSummary.quantileSteps)
        let stored = levels.map { t.normalScoreQuantiles[Int(($0.1 * steps).rounded())] }
        let sorted = s.scores.sorted()
        // Same rule as the stored quantiles: the ⌈q·n⌉-th smallest score, the smallest at q = 0.
        let here = levels.map { sorted[min(sorted.count - 1, max(0, Int(($0.1 * Double(sorted.count)).rounded(.up)) - 1))] }
        page.raw("<h3>Score quantiles</h3><p class=\"note\">The training normals' quantiles were stored in the model file at "
                 + "training time (\(t.normals) normal rows); this data's are computed from its scores with the same rule.</p>")
        page.table(header: ["scores"] + levels.map(\.0),
                   rows: [["training normals (stored)"] + stored.map { F.number($0) },
                          [s.dataName] + here.map { F.number($0) }])
    }

    static func esc(_ s: String) -> String { SVGText.escape(s) }
}
