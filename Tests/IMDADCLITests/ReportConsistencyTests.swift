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
