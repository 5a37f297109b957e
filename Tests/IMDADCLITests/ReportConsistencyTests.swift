// The numbers `imdad report` shows are those `imdad score` and `imdad explain` print.
import Foundation
import XCTest
@testable import IMDADDetectors
@testable import IMDADReports

final class ReportConsistencyTests: CLITestCase {
    func testReportShowsTheScoresAndMetricsTheOtherCommandsPrint() throws {
        let model = try trainSmallModel(columns: 4)
        try write("data.csv", labeledCSV(rows: 80, columns: 4))
        // scores from `imdad score`
        let s = try imdad("score", model, "data.csv", "--label-column", "label", "--format", "json")
        XCTAssertEqual(s.status, 0, s.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(s.stdout.utf8)) as? [String: Any]
        let rows = try XCTUnwrap(json?["rows"] as? [[String: Any]])
        let scores = rows.map { ($0["score"] as! NSNumber).doubleValue }
        let labels = rows.map { ($0["label"] as! NSNumber).intValue }
        // explanations of the top 3 from `imdad explain`
        let e = try imdad("explain", model, "data.csv", "--label-column", "label", "--most", "3", "--format", "json")
        XCTAssertEqual(e.status, 0, e.stderr)
        let explanations = try JSONDecoder().decode([Explanation].self, from: Data(e.stdout.utf8))
        XCTAssertEqual(explanations.count, 3)
        for x in explanations {
            XCTAssertEqual(x.score, Float(scores[x.sample]), "explain and score disagree on row \(x.sample)")
        }
        // the report
        let r = try imdad("report", model, "data.csv", "--label-column", "label", "--output", "report.html", "--top", "3")
        XCTAssertEqual(r.status, 0, r.stderr)
        let html = String(decoding: try bytes("report.html"), as: UTF8.self)
        let auroc = try Metrics.auroc(scores: scores, labels: labels)
        let ap = try Metrics.averagePrecision(scores: scores, labels: labels)
        XCTAssertTrue(html.contains("AUROC = \(ReportFormat.number(auroc))"), "report AUROC differs from \(auroc)")
        XCTAssertTrue(html.contains(ReportFormat.number(ap)), "report AP differs from \(ap)")
        for x in explanations {
            XCTAssertTrue(html.contains(ReportFormat.number(x.score)), "report lacks the score \(x.score) of row \(x.sample)")
            XCTAssertTrue(html.contains(ReportFormat.number(x.distance)), "report lacks the distance of row \(x.sample)")
        }
    }
}

/// The report opens with a plain summary whose numbers are those `imdad score` prints; its training
/// numbers are the summary stored in the model file; `imdad demo` lists the most anomalous rows only.
final class ReportSummaryCLITests: CLITestCase {
    /// `labeledCSV` with an `id` column in front: "<prefix><row>".
    func withIDs(_ csv: String, prefix: String) -> String {
        csv.split(separator: "\n", omittingEmptySubsequences: true).enumerated()
            .map { $0.offset == 0 ? "id," + $0.element : "\(prefix)\($0.offset)," + $0.element }.joined(separator: "\n") + "\n"
    }

    func section(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "<section id=\"\(id)\">"),
              let end = html[start.upperBound...].range(of: "</section>") else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    func testReportSummaryMatchesTheScoresAndShowsTheStoredTrainingCounts() throws {
        try write("train.csv", withIDs(labeledCSV(rows: 60, columns: 4), prefix: "t-"))
        let t = try imdad("train", "train.csv", "--label-column", "label", "--id-column", "id", "--output", "model.imdad",
                          "--epochs", "2", "--quiet", "--threads", "1")
        XCTAssertEqual(t.status, 0, t.stderr)
        try write("data.csv", withIDs(labeledCSV(rows: 80, columns: 4), prefix: "case-"))
        let s = try imdad("score", "model.imdad", "data.csv", "--label-column", "label", "--id-column", "id", "--format", "json")
        XCTAssertEqual(s.status, 0, s.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(s.stdout.utf8)) as? [String: Any]
        let rows = try XCTUnwrap(json?["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 80)
        let r = try imdad("report", "model.imdad", "data.csv", "--label-column", "label", "--id-column", "id",
                          "--output", "report.html", "--top", "3")
        XCTAssertEqual(r.status, 0, r.stderr)
        let html = String(decoding: try bytes("report.html"), as: UTF8.self)
        let summary = try XCTUnwrap(section("summary", in: html), "the report has no summary section")
        XCTAssertLessThan(try XCTUnwrap(html.range(of: "<section id=\"summary\">")).lowerBound,
                          try XCTUnwrap(html.range(of: "<section id=\"sphere\">")).lowerBound, "the summary comes first")

        // Zone counts (and labeled anomalies per zone) counted from `imdad score`'s output.
        func zone(_ z: String) -> [[String: Any]] { rows.filter { $0["zone"] as? String == z } }
        func anomalies(_ rs: [[String: Any]]) -> Int { rs.filter { ($0["label"] as? NSNumber)?.intValue == 1 }.count }
        let F = ReportFormat.self
        let zoneNames = [("inside (s ≤ 0)", "inside"), ("margin band (0 &lt; s &lt; ρ²)", "margin band"),
                         ("outside (s ≥ ρ²)", "outside")]
        for (name, z) in zoneNames {
            let rs = zone(z)
            let expected = "<tr><td class=\"name\">\(name)</td><td>\(rs.count)</td><td>\(F.percent(Double(rs.count) / 80))</td>"
                + "<td>\(anomalies(rs))</td><td>\(rs.count - anomalies(rs))</td></tr>"
            XCTAssertTrue(summary.contains(expected), "summary lacks \(expected):\n\(summary)")
        }
        XCTAssertTrue(summary.contains("80 rows of "), summary)
        XCTAssertTrue(summary.contains("<b>\(zone("inside").count)</b> inside the sphere"))

        // The top rows: row numbers and ids as `imdad score` prints them, highest score first.
        let ranked = rows.sorted { ($0["score"] as! NSNumber).doubleValue > ($1["score"] as! NSNumber).doubleValue }
        for (rank, row) in ranked.prefix(3).enumerated() {
            let number = (row["row"] as! NSNumber).intValue, id = try XCTUnwrap(row["id"] as? String)
            let cells = "<tr><td>\(rank + 1)</td><td>\(number)</td><td class=\"name\">\(id)</td>"
            XCTAssertTrue(summary.contains(cells), "summary lacks row \(number) (\(id)) at rank \(rank + 1):\n\(summary)")
            XCTAssertTrue(html.contains("#\(rank + 1): row \(number) (id \(id))"), "no card for row \(number)")
        }

        // Training: the counts stored in the model file, labelled as such; never the baseline row.
        let stored = try XCTUnwrap(try TrainedModel.read(contentsOf: path("model.imdad")).metadata.training)
        let nz = ReportSummary.ZoneCounts(stored: try XCTUnwrap(stored.normalZones))
        XCTAssertEqual(nz.total, 54)
        let sphere = try XCTUnwrap(section("sphere", in: html))
        let trainingRow = "<tr><td class=\"name\">training normals (stored at training time)</td><td>\(nz.inside)</td>"
            + "<td>\(nz.marginBand)</td><td>\(nz.outside)</td><td>54</td>"
        XCTAssertTrue(sphere.contains(trainingRow), "sphere section lacks \(trainingRow):\n\(sphere)")
        XCTAssertFalse(html.contains("training (normal rows)"))
        XCTAssertTrue(summary.contains("Training (stored in the model file at training time): 60 rows, 54 normal or unlabeled "
                                       + "and 6 labeled anomalies."), summary)
        XCTAssertTrue(html.contains("training normals (stored)"), "the stored score quantiles are shown")
    }

    func testDemoListsTheMostAnomalousRowsOnly() throws {
        let r = try imdad("demo", "--epochs", "2")
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let heading = try XCTUnwrap(lines.firstIndex { $0.contains("most anomalous") }, r.stdout)
        XCTAssertTrue(lines[heading].hasPrefix("the 5 most anomalous of the "), lines[heading])
        XCTAssertTrue(lines[heading].contains(", highest score s first"))
        let listed = lines[(heading + 2)...].prefix { $0.hasPrefix("  ") && $0.split(separator: " ").first.map { Int($0) != nil } == true }
        XCTAssertEqual(listed.count, 5, "exactly the five most anomalous rows:\n\(r.stdout)")
        let scores = listed.map { Double($0.split(separator: " ")[1])! }
        XCTAssertEqual(scores, scores.sorted(by: >), "highest score first")
        // Nothing after the list but its footnote: no least-anomalous rows appended.
        let rest = lines[(heading + 2 + listed.count)...].filter { !$0.isEmpty }
        XCTAssertEqual(rest, ["  (test rows are numbered from 1 within the test split)"])
    }
}
