// Sections of the HTML report about single samples: the top-k anomalies with their attributions
// (bar charts for tabular data, heat maps over the image for image data) and the prototype of
// normality (the training sample nearest c).

import Foundation
import IMDADCharts
import IMDADDetectors

extension ReportSections {
    static func anomalies(_ s: ReportSummary, featuresShown: Int, into page: inout ReportPage) throws {
        page.raw("<section id=\"anomalies\"><h2>Top \(s.topAnomalies.count) anomalies</h2>")
        page.raw("<p class=\"note\">The highest-scoring samples. Attributions: integrated gradients (IG, \(s.integrationSteps) "
                 + "trapezoid steps from the \(s.baseline.rawValue) baseline x′) and gradient × input; positive values raise "
                 + "the score. Completeness: Σ IG = s(x) − s(x′) − gap.</p>")
        for (rank, e) in s.topAnomalies.enumerated() {
            page.raw("<article class=\"card\" id=\"top-\(rank + 1)\"><h3>#\(rank + 1): \(esc(rowTitle(e, columns: s.idColumns))) · "
                     + "s = \(F.number(e.score)) "
                     + zoneBadge(e.zone))
            if let l = s.labels?[e.sample] { page.raw(" · \(labelName(l))") }
            page.raw("</h3>")
            page.stats([("score s", F.number(e.score)), ("distance ‖φ − c‖", F.number(e.distance)),
                        ("s(x′) baseline", F.number(e.baselineScore)), ("Σ IG", F.number(e.attributions(.integratedGradients)
                            .reduce(0.0) { $0 + Double($1) })), ("completeness gap", F.number(e.completenessGap))])
            if let shape = s.imageShape {
                try imageAttribution(e, shape: shape, into: &page)
            } else {
                tabularAttribution(e, shown: featuresShown, into: &page)
            }
            attributionTable(e, shown: featuresShown, into: &page)
            contributionTable(e, center: s.sphere.center, into: &page)
            page.raw("</article>")
        }
        page.raw("</section>")
    }

    static func tabularAttribution(_ e: Explanation, shown: Int, into page: inout ReportPage) {
        let top = e.ranked(by: .integratedGradients).prefix(shown)
        let bars = top.map { BarChart.Bar($0.name, value: Double($0.integratedGradients)) }
        func chart(_ w: Int) -> String {
            BarChart(title: "Integrated gradients of row \(rowNumber(e))",
                     valueLabel: "attribution (Δ score, squared representation units)",
                     bars: bars, positiveLegend: "raises the score", negativeLegend: "lowers the score").svg(width: w)
        }
        page.figure(wide: chart(ReportSections.wide), narrow: chart(ReportSections.narrow))
    }

    static func imageAttribution(_ e: Explanation, shape: [Int], into page: inout ReportPage) throws {
        let ig = try AttributionImage(e, imageShape: shape, method: .integratedGradients)
        let gxi = try AttributionImage(e, imageShape: shape, method: .gradientTimesInput)
        func chart(_ a: AttributionImage, _ name: String, _ w: Int) -> String {
            HeatMap(title: "\(name) of row \(rowNumber(e))", values: a.values, rows: a.rows, cols: a.cols,
                    colormap: .diverging, range: a.symmetricRange, grayscale: a.grayscale, layout: .all,
                    colorBarLabel: "Δ score per pixel", panelTitles: ["input", "attribution", "overlay"])
                .svg(width: w, height: w == ReportSections.wide ? 280 : 200)
        }
        page.raw("<div class=\"grid2\">")
        page.figure(wide: chart(ig, "Integrated gradients", 520), narrow: chart(ig, "Integrated gradients", ReportSections.narrow),
                    caption: "Red raises the score, blue lowers it (channels summed).")
        page.figure(wide: chart(gxi, "Gradient × input", 520), narrow: chart(gxi, "Gradient × input", ReportSections.narrow))
        page.raw("</div>")
    }

    static func attributionTable(_ e: Explanation, shown: Int, into page: inout ReportPage) {
        let top = e.ranked(by: .integratedGradients).prefix(shown)
        let raw = top.contains { $0.rawValue != nil }
        var header = ["feature", "IG rank", "value x"]
        if raw { header.append("raw value") }
        header += ["baseline x′", "IG", "grad × input", "g×i rank"]
        let rows: [[String]] = top.map { f in
            var r = [f.name, "\(f.integratedGradientsRank)", F.number(f.value)]
            if raw { r.append(f.rawValue.map { F.number($0) } ?? "") }
            r += [F.number(f.baselineValue), F.signed(f.integratedGradients), F.signed(f.gradientTimesInput), "\(f.gradientTimesInputRank)"]
            return r
        }
        page.table(header: header, rows: rows)
    }

    static func contributionTable(_ e: Explanation, center: [Float], into page: inout ReportPage) {
        let dims = e.contributions.indices.sorted { e.contributions[$0] > e.contributions[$1] }.prefix(8)
        let total = Double(e.distanceSquared)
        page.raw("<p class=\"note\">Representation dimensions by contribution (φₖ − cₖ)² to ‖φ − c‖² = "
                 + "\(F.number(e.distanceSquared)):</p>")
        page.table(header: ["k", "φₖ", "cₖ", "(φₖ − cₖ)²", "share"],
                   rows: dims.map { k in
                       ["\(k)", F.number(e.representation[k]), F.number(center[k]), F.number(e.contributions[k]),
                        total > 0 ? F.percent(Double(e.contributions[k]) / total) : "n/a"]
                   })
    }

    static func prototype(_ s: ReportSummary, into page: inout ReportPage) throws {
        guard let p = s.prototype else { return }
        page.raw("<section id=\"prototype\"><h2>Prototype of normality</h2>")
        if let row = p.trainingRow {
            page.raw("<p>The training sample whose representation lies nearest the center: training row \(row), "
                     + "‖φ − c‖ = \(F.number(p.distance)), s = \(F.number(p.score)).</p>")
            page.stats([("training row", "\(row)"), ("distance ‖φ − c‖", F.number(p.distance)), ("score s", F.number(p.score))])
        } else {
            page.raw("<p>The training normal whose representation lies nearest the center, stored in the model file at "
                     + "training time: ‖φ − c‖ = \(F.number(p.distance)), s = \(F.number(p.score)).</p>")
            page.stats([("distance ‖φ − c‖", F.number(p.distance)), ("score s", F.number(p.score))])
        }
        if let shape = s.imageShape {
            let sh = shape.count == 2 ? [1] + shape : shape
            let (ch, h, w) = (sh[0], sh[1], sh[2])
            let gray = (0..<(h * w)).map { i in (0..<ch).reduce(Float(0)) { $0 + p.features[$1 * h * w + i] } / Float(ch) }
            let png = try grayscalePNG(values: gray, width: w, height: h, scale: max(1, 224 / max(w, h)))
            page.raw("<figure><img class=\"pixel\" alt=\"prototype image\(p.trainingRow.map { " (training row \($0))" } ?? "")\" "
                     + "src=\"\(PNGEncoder.dataURI(png))\"/>"
                     + "<figcaption>The prototype as an image (channel mean).</figcaption></figure>")
        } else {
            var header = ["feature", "value x"]
            if p.rawFeatures != nil { header.append("raw value") }
            let rows: [[String]] = s.featureNames.indices.map { i in
                var r = [s.featureNames[i], F.number(p.features[i])]
                if let raw = p.rawFeatures { r.append(F.number(raw[i])) }
                return r
            }
            page.table(header: header, rows: rows)
        }
        page.raw("</section>")
    }
}
