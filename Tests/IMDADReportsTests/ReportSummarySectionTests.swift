import XCTest
import Foundation
import IMDADEngine
import IMDADDetectors
import IMDADCharts
@testable import IMDADReports

/// The report opens with a plain summary whose numbers are counts of the scores; the training
/// zones and quantiles come from the summary stored in the model file, never from the baseline
/// row; the top rows carry their row numbers and ids.
final class ReportSummarySectionTests: XCTestCase {
    let fx = SyntheticTabular.shared

    /// The HTML of `<section id="id">…</section>`.
    func section(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "<section id=\"\(id)\">"),
              let end = html[start.upperBound...].range(of: "</section>") else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// A table row as `ReportPage.table` writes it (first cell a name cell).
    func tableRow(_ cells: [String], nameColumns: Set<Int> = [0]) -> String {
        "<tr>" + cells.enumerated().map { i, c in
            "<td\(nameColumns.contains(i) ? " class=\"name\"" : "")>\(SVGText.escape(c))</td>"
        }.joined() + "</tr>"
    }

    /// The training summary a model file would store for the fixture's training data.
    func storedSummary() -> TrainingSummary {
        let sphere = fx.model.sphere
        let normalScores = fx.model.scores(fx.trainNormals)
        let anomalies = fx.train.rows(1000..<1020)
        let anomalyScores = fx.model.scores(anomalies)
        func zones(_ s: [Float]) -> [String: Int] {
            var out = Dictionary(uniqueKeysWithValues: Zone.allCases.map { ($0.rawValue, 0) })
            for x in s { out[sphere.zone(score: x).rawValue, default: 0] += 1 }
            return out
        }
        return TrainingSummary(rows: 1020, normals: 1000, labeledAnomalies: 20,
                               normalsFlagged: normalScores.filter { $0 > 0 }.count, normalZones: zones(normalScores),
                               anomalyZones: zones(anomalyScores), normalScores: normalScores)
    }

    func testSummaryOpensThePageWithCountsOfTheScoresAndTheTopRowsWithNumbersAndIDs() throws {
        let n = fx.test.shape[0]
        let rowNumbers = (0..<n).map { 2 * $0 + 3 }   // as if rows had been skipped: not index + 1
        let ids = (0..<n).map { ["case-\($0)", "site \($0 % 7)"] }
        var options = ReportOptions()
        options.topK = 4
        let data = ReportData(features: fx.test, labels: fx.testLabels, featureNames: SyntheticTabular.names,
                              training: fx.trainNormals, name: "synthetic test", rowNumbers: rowNumbers,
                              idColumns: ["case", "site"], rowIDs: ids)
        let (html, s) = try HTMLReport.buildWithSummary(model: fx.model, data: data, options: options)
        // Counts straight from the scores and the margin ρ².
        let scores = fx.model.scores(fx.test), m2 = fx.model.sphere.marginSquared
        let inside = scores.indices.filter { scores[$0] <= 0 }
        let band = scores.indices.filter { scores[$0] > 0 && scores[$0] < m2 }
        let outside = scores.indices.filter { scores[$0] >= m2 }
        XCTAssertEqual(inside.count + band.count + outside.count, n)
        XCTAssertGreaterThan(outside.count, 0, "the fixture has rows outside the margin")
        XCTAssertEqual([s.zones.inside, s.zones.marginBand, s.zones.outside], [inside.count, band.count, outside.count])
        let anomalous = { (rows: [Int]) in rows.filter { self.fx.testLabels[$0] == 1 }.count }
        let a = try XCTUnwrap(s.anomalyZones)
        XCTAssertEqual([a.inside, a.marginBand, a.outside], [anomalous(inside), anomalous(band), anomalous(outside)])
        XCTAssertEqual(a.total, fx.testLabels.filter { $0 == 1 }.count)

        // The summary comes first, before the sphere's parameters.
        let summaryStart = try XCTUnwrap(html.range(of: "<section id=\"summary\">")).lowerBound
        let sphereStart = try XCTUnwrap(html.range(of: "<section id=\"sphere\">")).lowerBound
        XCTAssertLessThan(summaryStart, sphereStart)
        XCTAssertNil(html[..<summaryStart].range(of: "<section"), "no section before the summary")
        let summary = try XCTUnwrap(section("summary", in: html))
        XCTAssertTrue(summary.contains("\(n) rows of synthetic test scored: <b>\(inside.count)</b> inside the sphere"), summary)
        XCTAssertTrue(summary.contains("<b>\(band.count)</b> in the margin band"))
        XCTAssertTrue(summary.contains("<b>\(outside.count)</b> outside the margin"))
        XCTAssertTrue(summary.contains("The sphere flags <b>\(band.count + outside.count)</b>"))
        let F = ReportFormat.self
        func zoneRow(_ name: String, _ rows: [Int]) -> String {
            tableRow([name, "\(rows.count)", F.percent(Double(rows.count) / Double(n)), "\(anomalous(rows))",
                      "\(rows.count - anomalous(rows))"])
        }
        XCTAssertTrue(summary.contains(zoneRow("inside (s ≤ 0)", inside)), summary)
        XCTAssertTrue(summary.contains(zoneRow("margin band (0 < s < ρ²)", band)))
        XCTAssertTrue(summary.contains(zoneRow("outside (s ≥ ρ²)", outside)))

        // The top rows: highest scores first, with their row numbers, ids and driving features.
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        XCTAssertEqual(s.topAnomalies.map(\.sample), Array(order.prefix(4)))
        for (rank, e) in s.topAnomalies.enumerated() {
            let i = e.sample
            XCTAssertEqual(e.row, rowNumbers[i])
            XCTAssertEqual(e.ids, ["case": "case-\(i)", "site": "site \(i % 7)"])
            let prefix = tableRow(["\(rank + 1)", "\(rowNumbers[i])", "case-\(i)", "site \(i % 7)", F.number(scores[i])],
                                  nameColumns: [2, 3]).dropLast("</tr>".count)
            XCTAssertTrue(summary.contains(prefix), "summary lacks the top row \(rank + 1): \(prefix)")
            let top = e.ranked(by: .integratedGradients)[0]
            XCTAssertTrue(summary.contains(SVGText.escape("\(top.name) \(F.signed(top.integratedGradients, digits: 3))")),
                          "summary lacks the driving feature of row \(rowNumbers[i])")
            XCTAssertTrue(html.contains("#\(rank + 1): row \(rowNumbers[i]) (case case-\(i), site site \(i % 7))"))
        }
        // The shifted features drive the anomalies at the top.
        XCTAssertTrue(s.topAnomalies.allSatisfy { SyntheticTabular.shifted.contains($0.ranked(by: .integratedGradients)[0].index) })
        XCTAssertNil(xmlError(html))
    }

    func testTrainingZonesComeFromTheStoredSummaryNotTheBaselineRow() throws {
        let stored = storedSummary()
        let trainScores = fx.model.scores(fx.trainNormals)
        let prototype = trainScores.indices.min { trainScores[$0] < trainScores[$1] }!
        let protoRow = Array(fx.trainNormals.scalars[(prototype * 8)..<((prototype + 1) * 8)])
        var options = ReportOptions()
        options.topK = 3
        let data = ReportData(features: fx.test, labels: fx.testLabels, featureNames: SyntheticTabular.names,
                              name: "synthetic test", baselineRows: Tensor(shape: [1, 8], scalars: protoRow),
                              trainingSummary: stored, storedPrototype: protoRow)
        let (html, s) = try HTMLReport.buildWithSummary(model: fx.model, data: data, options: options)
        XCTAssertNil(s.trainingZones, "the baseline row is not training data")
        XCTAssertEqual(s.storedTraining, stored)
        XCTAssertEqual(s.baseline, .nearestNormal, "the baseline row serves the attributions")
        XCTAssertEqual(s.prototype?.features, protoRow)
        XCTAssertNil(s.prototype?.trainingRow)
        let nz = ReportSummary.ZoneCounts(stored: stored.normalZones!)
        XCTAssertEqual(nz.total, 1000)
        let trainZones = fx.model.zones(fx.trainNormals)
        XCTAssertEqual([nz.inside, nz.marginBand, nz.outside],
                       [Zone.inside, .marginBand, .outside].map { z in trainZones.filter { $0 == z }.count })
        // The sphere section's table shows the stored counts, labelled as stored, and never "1 row".
        let sphere = try XCTUnwrap(section("sphere", in: html))
        let F = ReportFormat.self
        XCTAssertTrue(sphere.contains(tableRow(["training normals (stored at training time)", "\(nz.inside)", "\(nz.marginBand)",
                                                "\(nz.outside)", "1000", F.percent(nz.flaggedFraction)])), sphere)
        let az = ReportSummary.ZoneCounts(stored: stored.anomalyZones!)
        XCTAssertTrue(sphere.contains(tableRow(["training labeled anomalies (stored at training time)", "\(az.inside)",
                                                "\(az.marginBand)", "\(az.outside)", "20", F.percent(az.flaggedFraction)])))
        for stale in ["training (normal rows)", "training rows given"] {
            XCTAssertFalse(html.contains(SVGText.escape(stale)), "page shows \(stale)")
        }
        // The summary says where the training data fell, from the stored numbers.
        let summary = try XCTUnwrap(section("summary", in: html))
        XCTAssertTrue(summary.contains("Training (stored in the model file at training time): 1020 rows, 1000 normal or unlabeled "
                                       + "and 20 labeled anomalies. Of the training normals, \(nz.inside) fell inside the sphere"), summary)
        // Quantiles: the stored ones, and each top row's percentile among the training normals.
        let scoresSection = try XCTUnwrap(section("scores", in: html))
        let q = stored.normalScoreQuantiles
        let storedRow = tableRow(["training normals (stored)"] + [0, 10, 50, 250, 500, 750, 950, 990, 1000].map { F.number(q[$0]) })
        XCTAssertTrue(scoresSection.contains(storedRow), scoresSection)
        for e in s.topAnomalies {
            XCTAssertTrue(summary.contains("<td>" + F.number(stored.percentile(e.score), digits: 4) + " %</td>"))
        }
        XCTAssertNil(xmlError(html))
    }

    func testAModelWithoutAStoredSummarySaysSo() throws {
        let mean = (0..<8).map { k in (0..<1000).reduce(Float(0)) { $0 + fx.trainNormals.scalars[$1 * 8 + k] } / 1000 }
        var options = ReportOptions()
        options.topK = 2
        options.baseline = .mean
        let data = ReportData(features: fx.test, name: "old model", baselineRows: Tensor(shape: [1, 8], scalars: mean))
        let (html, s) = try HTMLReport.buildWithSummary(model: fx.model, data: data, options: options)
        XCTAssertNil(s.storedTraining)
        XCTAssertNil(s.trainingZones)
        XCTAssertNil(s.prototype, "the mean is no prototype")
        XCTAssertEqual(s.baseline, .mean)
        XCTAssertTrue(html.contains("This model file does not store what the model did on its training data"))
        XCTAssertFalse(html.contains("training normals (stored"))
        XCTAssertFalse(html.contains("Score quantiles"))
        // Without row numbers, rows are numbered from 1.
        XCTAssertEqual(s.topAnomalies.map(\.row), s.topAnomalies.map { $0.sample + 1 })
        XCTAssertTrue(html.contains("#1: row \(s.topAnomalies[0].sample + 1) · "))
        XCTAssertThrowsError(try ReportSummary(model: fx.model, data: ReportData(features: fx.test, rowNumbers: [1, 2]))) {
            XCTAssertEqual($0 as? ReportError, .rowNumberCount(numbers: 2, rows: 340))
        }
    }

    /// When one bin holds nearly every score, the report's histogram switches to a log axis and says so.
    func testScoreHistogramGoesLogWhenOneBinDominates() throws {
        // 336 identical normal rows and 4 anomalies: one bin holds 99 % of the scores.
        var x = [Float]()
        for i in 0..<340 { for k in 0..<8 { x.append(i < 336 ? 0.5 : (SyntheticTabular.shifted.contains(k) ? 0.95 : 0.5)) } }
        var options = ReportOptions()
        options.topK = 1
        let data = ReportData(features: Tensor(shape: [340, 8], scalars: x), name: "one bin")
        let html = try HTMLReport.build(model: fx.model, data: data, options: options)
        let scores = try XCTUnwrap(section("scores", in: html))
        XCTAssertTrue(scores.contains("samples per bin (log scale)"), "the y axis says log scale")
        XCTAssertTrue(scores.contains("The y axis is on a log scale"), "the caption says log scale")
        XCTAssertNil(xmlError(html))
    }
}
