// Sections of the HTML report about the model as a whole: sphere, scores, detection quality,
// representation, training. Every number comes from the `ReportSummary`.

import Foundation
import IMDADCharts
import IMDADDetectors

enum ReportSections {
    typealias F = ReportFormat
    static let wide = 720, narrow = 360
    /// Most points a drawn curve keeps (the metrics use all of them).
    static let maxCurvePoints = 1500

    static func labelName(_ label: Int?) -> String {
        switch label { case 1?: return "anomalous (label 1)"; case 0?: return "normal (label 0)"; default: return "unlabeled" }
    }

    static func zoneBadge(_ z: Zone) -> String {
        let cls = z == .inside ? "inside" : (z == .marginBand ? "marginband" : "outside")
        return "<span class=\"badge \(cls)\">\(z.rawValue)</span>"
    }

    /// Evenly strided subset that keeps the first and the last point.
    static func thin(_ points: [ChartPoint], limit: Int = maxCurvePoints) -> [ChartPoint] {
        guard points.count > limit, limit >= 2 else { return points }
        let step = Double(points.count - 1) / Double(limit - 1)
        return (0..<limit).map { points[min(points.count - 1, Int((Double($0) * step).rounded()))] }
    }

    // MARK: sphere

    static func sphere(_ s: ReportSummary, into page: inout ReportPage) {
        let sp = s.sphere
        page.raw("<section id=\"sphere\"><h2>The sphere</h2><p>The final layer "
                 + "<span class=\"math\">s(x) = ‖φ(x)‖² − wᵀφ(x) − b</span> is the sphere with center "
                 + "<span class=\"math\">c = w/2</span> and radius <span class=\"math\">R² = b + ‖w‖²/4</span>: "
                 + "<span class=\"math\">s(x) = ‖φ(x) − c‖² − R²</span>. Labeled anomalies were trained to lie "
                 + "beyond the margin, <span class=\"math\">‖φ − c‖² ≥ R² + ρ²</span>.</p>")
        var items: [(String, String)] = [
            ("R² (squared radius)", F.number(sp.radiusSquared)), ("R (radius)", F.number(sp.radius)),
            ("ρ² (squared margin)", F.number(sp.marginSquared)), ("ρ (margin)", F.number(sp.margin)),
            ("ρ²/R² (relative margin)", sp.relativeMargin.map { F.number($0) } ?? "∞ (R² ≤ 0)"),
            ("√(R² + ρ²) (outer radius)", F.number(sp.outerRadius)),
            ("‖c‖ (center norm)", F.number(sp.centerNorm)), ("d (representation size)", "\(sp.center.count)"),
            ("ν (outside bound)", F.number(sp.nu)), ("κ (anomaly weight)", F.number(sp.kappa)),
        ]
        if let nuR = sp.radiusNu { items.append(("ν_R (R² refit at)", F.number(nuR))) }
        if let t = s.storedTraining?.normalZones.map(ReportSummary.ZoneCounts.init(stored:)) {
            items.append(("training normals flagged (s > 0, stored)", F.percent(t.flaggedFraction)))
        } else if let t = s.trainingZones {
            items.append(("training rows flagged (s > 0)", F.percent(t.flaggedFraction)))
        }
        items.append(("\(s.dataName) flagged (s > 0)", F.percent(s.zones.flaggedFraction)))
        page.stats(items)
        var rows: [[String]] = []
        func row(_ name: String, _ z: ReportSummary.ZoneCounts) -> [String] {
            [name, "\(z.inside)", "\(z.marginBand)", "\(z.outside)", "\(z.total)", F.percent(z.flaggedFraction)]
        }
        if let stored = s.storedTraining {
            if let t = stored.normalZones.map(ReportSummary.ZoneCounts.init(stored:)) {
                rows.append(row("training normals (stored at training time)", t))
            }
            if stored.labeledAnomalies > 0, let t = stored.anomalyZones.map(ReportSummary.ZoneCounts.init(stored:)) {
                rows.append(row("training labeled anomalies (stored at training time)", t))
            }
        } else if let t = s.trainingZones {
            rows.append(row("training rows given to the report", t))
        }
        rows.append(row(s.dataName, s.zones))
        if let a = s.anomalyZones, a.total > 0 { rows.append(row("\(s.dataName): labeled anomalies", a)) }
        page.raw("<h3>Where the samples fall</h3>")
        page.table(header: ["data", "inside (s ≤ 0)", "margin band (0 < s < ρ²)", "outside (s ≥ ρ²)", "total", "flagged (s > 0)"],
                   rows: rows)
        if s.storedTraining == nil && s.trainingZones == nil {
            page.raw("<p class=\"note\">The model file stores no training summary (it predates them): where the training "
                     + "data fell is unknown here.</p>")
        }
        if s.storedTraining != nil || s.trainingZones != nil {
            page.raw("<p class=\"note\">" + (sp.radiusNu.map {
                "R² was refit after training so that about ν_R = \(F.number($0)) of the normal training samples "
                    + "fall outside the sphere (trained at ν = \(F.number(sp.nu)))."
            } ?? "ν bounds the fraction of normal training samples left outside the sphere (ν = \(F.number(sp.nu)))." ) + "</p>")
        }
        page.raw("<h3>Center c</h3>")
        page.table(header: ["k"] + sp.center.indices.map { "\($0)" }, rows: [["cₖ"] + sp.center.map { F.number($0) }])
        page.raw("</section>")
    }

    // MARK: scores

    /// Histogram values: scores above the display cap `q₉₉.₅ + (q₉₉.₅ − median)` (at least 1.5 ρ²)
    /// are gathered at the cap so that a few extreme scores do not squeeze the rest into one bin.
    static func displayCap(_ scores: [Float], marginSquared: Float) -> Double {
        let sorted = scores.sorted()
        let q = Double(sorted[min(sorted.count - 1, Int(0.995 * Double(sorted.count)))])
        let median = Double(sorted[sorted.count / 2])
        return max(q + max(0, q - median), 1.5 * Double(marginSquared))
    }

    static func scores(_ s: ReportSummary, into page: inout ReportPage) {
        page.raw("<section id=\"scores\"><h2>Anomaly scores</h2>")
        let cap = displayCap(s.scores, marginSquared: s.sphere.marginSquared)
        let capped = s.scores.filter { Double($0) > cap }.count
        func values(_ label: Int?) -> [Double] {
            s.scores.indices.filter { label == nil || s.labels?[$0] == label }.map { min(Double(s.scores[$0]), cap) }
        }
        let series: [Histogram.Series] = s.labels == nil
            ? [Histogram.Series("all samples (\(s.sampleCount))", values: values(nil), color: Palette.blue)]
            : [Histogram.Series("normal (\(s.labels!.filter { $0 == 0 }.count))", values: values(0), color: Palette.blue),
               Histogram.Series("anomalous (\(s.labels!.filter { $0 == 1 }.count))", values: values(1), color: Palette.vermillion)]
        let markers = [Histogram.Marker("sphere (R²)", at: 0, color: "#222222"),
                       Histogram.Marker("margin (R² + ρ²)", at: Double(s.sphere.marginSquared), color: Palette.orange)]
        let normalization: Histogram.Normalization = s.labels == nil ? .count : .density
        let yLabel = s.labels == nil ? "samples per bin" : "density per unit score"
        let histogram = Histogram(title: "Score distribution",
                                  xLabel: "anomaly score s = ‖φ − c‖² − R² (squared representation units)",
                                  yLabel: yLabel, series: series, normalization: normalization, markers: markers,
                                  yScale: .automatic)
        func chart(_ w: Int) -> String { histogram.svg(width: w, height: w == wide ? 380 : 320) }
        var caption = "Vertical lines: s = 0 is the sphere (‖φ − c‖² = R² = \(F.number(s.sphere.radiusSquared))); "
            + "s = ρ² = \(F.number(s.sphere.marginSquared)) is the margin (‖φ − c‖² = R² + ρ²)."
        if histogram.usesLogScale {
            caption += " The y axis is on a log scale (each gridline 10× the one below) because one bin dominates: on a "
                + "linear axis the few high scores in the tail would not show. Empty bins lie on the base line."
        }
        if capped > 0 {
            caption += capped == 1 ? " 1 score above \(F.number(cap)) is counted in the last bin."
                                   : " \(capped) scores above \(F.number(cap)) are counted in the last bin."
        }
        page.figure(wide: chart(wide), narrow: chart(narrow), caption: caption)
        let sorted = s.scores.sorted()
        page.stats([("min s", F.number(sorted.first!)), ("median s", F.number(sorted[sorted.count / 2])),
                    ("max s", F.number(sorted.last!)), ("inside", "\(s.zones.inside)"),
                    ("margin band", "\(s.zones.marginBand)"), ("outside", "\(s.zones.outside)")])
        quantileTable(s, into: &page)
        page.raw("</section>")
    }

    // MARK: detection

    static func detection(_ s: ReportSummary, into page: inout ReportPage) {
        guard let e = s.evaluation else { return }
        page.raw("<section id=\"detection\"><h2>Detection quality</h2>")
        let roc = thin(zip(e.fpr, e.tpr).map { ChartPoint($0, $1) })
        let pr = thin(zip(e.recall, e.precision).map { ChartPoint($0, $1) })
        func rocChart(_ w: Int) -> String {
            LineChart.roc(series: [.init("\(s.method) (AUROC \(F.number(e.auroc)))", points: roc, color: Palette.vermillion)])
                .svg(width: w, height: w == wide ? 400 : 340)
        }
        func prChart(_ w: Int) -> String {
            LineChart.precisionRecall(series: [.init("\(s.method) (AP \(F.number(e.averagePrecision)))", points: pr,
                                                     color: Palette.blue, interpolation: .stepBefore)],
                                      baseline: e.anomalyRate)
                .svg(width: w, height: w == wide ? 400 : 340)
        }
        page.raw("<div class=\"grid2\">")
        page.figure(wide: rocChart(520), narrow: rocChart(narrow),
                    caption: "ROC curve; dashed: chance. AUROC = \(F.number(e.auroc)).")
        page.figure(wide: prChart(520), narrow: prChart(narrow),
                    caption: "Precision–recall curve; dashed: the anomaly rate \(F.number(e.anomalyRate)). "
                             + "AP = \(F.number(e.averagePrecision)).")
        page.raw("</div>")
        let c = e.confusion
        page.stats([("AUROC", F.number(e.auroc)), ("average precision", F.number(e.averagePrecision)),
                    ("anomaly rate", F.percent(e.anomalyRate))])
        page.raw("<h3>At the sphere's own threshold s &gt; 0</h3>")
        page.table(header: ["TP", "FP", "TN", "FN", "precision", "recall", "F1"],
                   rows: [["\(c.tp)", "\(c.fp)", "\(c.tn)", "\(c.fn)", F.number(c.precision), F.number(c.recall), F.number(c.f1)]],
                   nameColumns: [])
        page.raw("</section>")
    }

    // MARK: representation

    static func representation(_ s: ReportSummary, into page: inout ReportPage) {
        page.raw("<section id=\"representation\"><h2>The representation</h2>")
        let groups: [(String, Int?, String)] = s.labels == nil
            ? [("samples", nil, Palette.blue)]
            : [("normal", 0, Palette.blue), ("anomalous", 1, Palette.vermillion)]
        let series = groups.map { name, label, color in
            ScatterPlot.Series(name, points: s.projection.indices.filter { label == nil || s.labels?[$0] == label }
                .map { ChartPoint(Double(s.projection[$0]), Double(s.distance[$0])) }, color: color,
                radius: 2.5, opacity: label == 1 ? 0.85 : 0.55)
        }
        let r = Double(s.sphere.radius), outer = Double(s.sphere.outerRadius)
        let top = max(Double(s.distance.max() ?? 0), outer) * 1.05
        func chart(_ w: Int) -> String {
            ScatterPlot(title: "Representation: distance to c vs first principal direction",
                        xLabel: "(φ − c)·u₁ (representation units)", yLabel: "‖φ − c‖ (representation units)",
                        series: series,
                        lines: [.init("sphere R = \(F.number(r))", y: r, color: "#222222"),
                                .init("margin √(R² + ρ²) = \(F.number(outer))", y: outer, color: Palette.orange)],
                        bands: [.init("margin band", from: r, to: outer)],
                        yDomain: 0...max(top, 1e-6))
                .svg(width: w, height: w == wide ? 440 : 360)
        }
        page.figure(wide: chart(wide), narrow: chart(narrow),
                    caption: "x: projection of φ(x) − c on u₁, the first principal direction of the representations "
                        + "(power iteration); y: the radial distance ‖φ(x) − c‖. Samples above the black line are outside "
                        + "the sphere, above the orange line outside the margin.")
        page.raw("</section>")
    }

    // MARK: training

    static func training(_ s: ReportSummary, into page: inout ReportPage) {
        page.raw("<section id=\"training\"><h2>Training</h2>")
        let log = s.trainingLog
        guard !log.isEmpty else {
            page.raw("<p class=\"note\">The model carries no training log.</p></section>")
            return
        }
        func points(_ v: (EpochLog) -> Double?) -> [ChartPoint] {
            log.compactMap { e in v(e).map { ChartPoint(Double(e.epoch), $0) } }
        }
        let markers = log.count <= 60
        let lossSeries: [LineChart.Series] = [
            .init("loss J", points: points { $0.loss }, color: Palette.blue, showMarkers: markers),
            .init("R²", points: points { $0.values["R²"] }, color: "#222222", dash: "6 3", showMarkers: markers),
        ]
        let activeSeries: [LineChart.Series] = [
            .init("active normal hinges (s > 0)", points: points { $0.values["active normal"] }, color: Palette.blue, showMarkers: markers),
            .init("active anomalous hinges (s < ρ²)", points: points { $0.values["active anomalous"] }, color: Palette.vermillion,
                  showMarkers: markers),
        ].filter { !$0.points.isEmpty }
        func lossChart(_ w: Int) -> String {
            LineChart(title: "Objective and squared radius", xLabel: "epoch", yLabel: "J and R²",
                      series: lossSeries).svg(width: w, height: w == wide ? 340 : 300)
        }
        func activeChart(_ w: Int) -> String {
            LineChart(title: "Active hinges", xLabel: "epoch", yLabel: "fraction active",
                      series: activeSeries, yDomain: 0...1).svg(width: w, height: w == wide ? 340 : 300)
        }
        page.raw("<div class=\"grid2\">")
        page.figure(wide: lossChart(520), narrow: lossChart(narrow),
                    caption: "A loss equal to R² with no active hinge is a stall.")
        if !activeSeries.isEmpty {
            page.figure(wide: activeChart(520), narrow: activeChart(narrow),
                        caption: "Fraction of normal samples outside the sphere and of labeled anomalies inside the margin, per epoch.")
        }
        page.raw("</div>")
        let last = log.last!
        page.stats([("epochs", "\(log.count)"), ("final loss J", F.number(last.loss)),
                    ("final R²", last.values["R²"].map { F.number($0) } ?? "n/a")])
        page.raw("</section>")
    }
}
