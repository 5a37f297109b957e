// A user's own CSV (issue 23): columns matched by name, header rows, ids and ignored columns,
// labels as people write them, thresholds, and outputs other tools read. Each case checks the
// exit status, the message, and what was (or was not) written.
import Foundation
import XCTest
import IMDADData
import IMDADDetectors

final class OwnDataTests: CLITestCase {
    /// Rows of a small table: an id, three features, and a label written `fraud`/`ok`; every tenth
    /// row is an anomaly shifted away from the normal cloud. Columns in the order given.
    func table(rows: Int = 80, order: [String] = ["id", "f0", "f1", "f2", "class"], start: Int = 0,
               label: (Bool) -> String = { $0 ? "fraud" : "ok" }) -> String {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        var s = order.joined(separator: ",") + "\n"
        for r in start..<(start + rows) {
            let anomalous = r % 10 == 0
            let f = (0..<3).map { _ in String(format: "%.4f", next() + (anomalous ? 3 : 0)) }
            let cells = ["id": "T\(1000 + r)", "f0": f[0], "f1": f[1], "f2": f[2], "class": label(anomalous)]
            s += order.map { cells[$0] ?? "0" }.joined(separator: ",") + "\n"
        }
        return s
    }

    func train(_ args: [String], data: String = "train.csv") throws -> RunResult {
        try imdad(["train", data, "--output", "model.imdad", "--epochs", "3", "--quiet", "--threads", "1"] + args)
    }

    func csvRows(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    // MARK: 1. the model knows its schema

    func testColumnsAreMatchedByNameAndAMismatchListsTheDifference() throws {
        try write("train.csv", table())
        let t = try train(["--label-column", "class", "--anomaly-label", "fraud", "--id-column", "id", "--epochs", "40"])
        XCTAssertEqual(t.status, 0, t.stderr)
        let model = try TrainedModel.read(contentsOf: path("model.imdad"))
        XCTAssertEqual(model.metadata.schema?.featureNames, ["f0", "f1", "f2"])
        XCTAssertEqual(model.metadata.schema?.idColumns, ["id"])
        XCTAssertEqual(model.metadata.schema?.labelColumn, "class")

        try write("test.csv", table(rows: 40, start: 500))
        try write("reordered.csv", table(rows: 40, order: ["f2", "class", "f0", "id", "f1"], start: 500))
        let a = try imdad("score", "model.imdad", "test.csv", "-o", "a.csv")
        let b = try imdad("score", "model.imdad", "reordered.csv", "-o", "b.csv")
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertEqual(try bytes("a.csv"), try bytes("b.csv"), "reordered columns scored differently")
        // Scored as the data says: the anomalies (every tenth row, label 1 in the output) rank above the normals.
        let rows = csvRows(String(decoding: try bytes("a.csv"), as: UTF8.self))
        let scores = rows.map { Double($0["score"]!)! }, labels = rows.map { Int($0["label"]!)! }
        XCTAssertEqual(labels.filter { $0 == 1 }.count, 4)
        XCTAssertGreaterThan(try Metrics.auroc(scores: scores, labels: labels), 0.9)

        try write("renamed.csv", table(rows: 5, order: ["id", "f0", "f1", "weight", "class"]))
        try assertFails(["score", "model.imdad", "renamed.csv", "-o", "s.csv"],
                        mentions: ["renamed.csv", "missing: ['f2']", "unexpected: ['weight']", "renamed"], noOutput: "s.csv")
        try write("missing.csv", table(rows: 5, order: ["id", "f0", "f1", "class"]))
        try assertFails(["explain", "model.imdad", "missing.csv"], mentions: ["missing.csv", "missing: ['f2']"], noOutput: nil)
        try write("extra.csv", table(rows: 5, order: ["id", "f0", "f1", "f2", "f3", "class"]))
        try assertFails(["score", "model.imdad", "extra.csv", "-o", "s.csv"],
                        mentions: ["unexpected: ['f3']", "--ignore-columns"], noOutput: "s.csv")
        XCTAssertEqual(try imdad("score", "model.imdad", "extra.csv", "--ignore-columns", "f3", "-o", "s.csv").status, 0)
        // Arrays have no names: checked by count, and the error says so.
        try write("wide.npy", npy(rows: 4, columns: 5))
        try assertFails(["score", "model.imdad", "wide.npy", "-o", "n.csv"], mentions: ["wide.npy", "by count"], noOutput: "n.csv")
    }

    // MARK: 2. headers

    func testANumericFirstLineIsRefusedUnlessNoHeader() throws {
        let body = table().split(separator: "\n").dropFirst().map { $0.split(separator: ",").dropFirst().joined(separator: ",") }
        let numeric = body.map { $0.replacingOccurrences(of: "fraud", with: "1").replacingOccurrences(of: "ok", with: "0") }
        try write("nohead.csv", numeric.joined(separator: "\n") + "\n")
        try assertFails(["train", "nohead.csv", "-o", "model.imdad", "--epochs", "1"],
                        mentions: ["nohead.csv", "line 1", "--no-header"], noOutput: "model.imdad")
        let t = try train(["--no-header", "--label-column", "c3"], data: "nohead.csv")
        XCTAssertEqual(t.status, 0, t.stderr)
        let model = try TrainedModel.read(contentsOf: path("model.imdad"))
        XCTAssertEqual(model.metadata.schema?.featureNames, ["c0", "c1", "c2"])
        XCTAssertEqual(model.metadata.schema?.hasHeader, false)
        let s = try imdad("score", "model.imdad", "nohead.csv", "--no-header")
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertEqual(s.stdout.split(separator: "\n").count, 1 + 80)
    }

    // MARK: 3. ids and extra columns

    func testIdsAreCarriedAndIgnoredColumnsDropped() throws {
        try write("train.csv", table(order: ["id", "f0", "note", "f1", "f2", "class"]))
        XCTAssertEqual(try train(["--label-column", "class", "--anomaly-label", "fraud", "--id-column", "id",
                                  "--ignore-columns", "note"]).status, 0)
        try write("test.csv", table(rows: 20, order: ["id", "f0", "note", "f1", "f2", "class"], start: 300))
        let s = try imdad("score", "model.imdad", "test.csv", "--format", "json")
        XCTAssertEqual(s.status, 0, s.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(s.stdout.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(json["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 20)
        XCTAssertEqual(rows.first?["id"] as? String, "T1300")
        XCTAssertEqual(rows.first?["row"] as? Int, 1)
        let e = try imdad("explain", "model.imdad", "test.csv", "--rows", "1", "--top", "3")
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stdout.hasPrefix("Row 1 (id T1300)"), e.stdout)
        XCTAssertFalse(e.stdout.contains("note"), "an ignored column was explained")

        // A numeric id used as a feature is warned about.
        var lines = table().split(separator: "\n").map(String.init)
        lines = lines.enumerated().map { i, l in
            (i == 0 ? "seq" : "\(i)") + "," + l.split(separator: ",").dropFirst().joined(separator: ",")
        }
        try write("seq.csv", lines.joined(separator: "\n") + "\n")
        let w = try train(["--label-column", "class", "--anomaly-label", "fraud", "--force"], data: "seq.csv")
        XCTAssertEqual(w.status, 0, w.stderr)
        XCTAssertTrue(w.stderr.contains("warning: feature 'seq'") && w.stderr.contains("--id-column seq"), w.stderr)
    }

    // MARK: 4. labels as people write them

    func testLabelsAsPeopleWriteThem() throws {
        for (anomaly, normal, args) in [("yes", "no", ["--anomaly-label", "yes"]), ("TRUE", "false", ["--anomaly-label", "true"]),
                                        ("-1", "1", ["--anomaly-label", "-1", "--normal-label", "1"]),
                                        ("fraud", "legit", ["--anomaly-label", "fraud", "--normal-label", "legit"])] {
            try write("train.csv", table(label: { $0 ? anomaly : normal }))
            let r = try train(["--label-column", "class", "--id-column", "id", "--force"] + args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("(8 labeled anomalies)"), "\(args): \(r.stdout)")
        }
        // Text labels without naming the anomaly value: the error lists the values seen.
        try write("text.csv", table())
        try assertFails(["train", "text.csv", "--label-column", "class", "--id-column", "id", "-o", "m.imdad", "--epochs", "1"],
                        mentions: ["text.csv", "column 'class'", "\"ok\" ×72", "\"fraud\" ×8", "--anomaly-label"], noOutput: "m.imdad")
        // An unexpected third value is an error listing the values.
        var three = table().split(separator: "\n").map(String.init)
        three[5] = three[5].replacingOccurrences(of: ",ok", with: ",maybe")
        try write("three.csv", three.joined(separator: "\n") + "\n")
        try assertFails(["train", "three.csv", "--label-column", "class", "--id-column", "id", "--anomaly-label", "fraud",
                         "-o", "m.imdad"],
                        mentions: ["three.csv", "\"maybe\""], noOutput: "m.imdad")
    }

    func testTrainingWithoutLabelsForTheMethodsThatNeedNone() throws {
        try write("plain.csv", table(order: ["f0", "f1", "f2"]))
        for args in [["--method", "deepsvdd"], ["--method", "iforest"], ["--one-class"]] {
            let r = try imdad(["train", "plain.csv", "-o", "m.imdad", "--epochs", "2", "--quiet", "--force"] + args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
        }
        try assertFails(["train", "plain.csv", "-o", "imdad.imdad", "--epochs", "1"],
                        mentions: ["plain.csv", "no label column", "--one-class"], noOutput: "imdad.imdad")
    }

    // MARK: 5. thresholds

    func testContaminationThresholdsAndPercentiles() throws {
        try write("train.csv", table(rows: 400))
        for (name, p) in [("c05.imdad", "0.05"), ("c30.imdad", "0.3")] {
            let r = try imdad("train", "train.csv", "--label-column", "class", "--anomaly-label", "fraud", "--id-column", "id",
                              "-o", name, "--epochs", "3", "--quiet", "--contamination", p)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let low = try TrainedModel.read(contentsOf: path("c05.imdad")), high = try TrainedModel.read(contentsOf: path("c30.imdad"))
        let lowShare = Double(low.metadata.training!.normalsFlagged) / Double(low.metadata.training!.normals)
        let highShare = Double(high.metadata.training!.normalsFlagged) / Double(high.metadata.training!.normals)
        XCTAssertEqual(lowShare, 0.05, accuracy: 0.02)
        XCTAssertEqual(highShare, 0.3, accuracy: 0.03)
        // The same encoder and center: only R² moved.
        guard case .imdad(let a) = low.fitted, case .imdad(let b) = high.fitted else { return XCTFail("not IMD-AD models") }
        XCTAssertEqual(a.sphere.center, b.sphere.center)

        /// Rows flagged, and normal rows flagged, under `args`.
        func flagged(_ args: [String]) throws -> (all: Int, normals: Int) {
            let r = try imdad(["score", "c05.imdad", "train.csv", "--label-column", "class"] + args)
            XCTAssertEqual(r.status, 0, r.stderr)
            let rows = csvRows(r.stdout).filter { $0["prediction"] == "1" }
            return (rows.count, rows.filter { $0["label"] == "0" }.count)
        }
        let sphere = try flagged([]), outside = try flagged(["--threshold", "outside"])
        let rate = try flagged(["--threshold", "rate:0.2"]), everything = try flagged(["--threshold", "-1000"])
        XCTAssertEqual(Double(sphere.normals), 0.05 * 360, accuracy: 2)
        XCTAssertLessThanOrEqual(outside.all, sphere.all)
        XCTAssertEqual(everything.all, 400)
        XCTAssertEqual(Double(rate.normals), 0.2 * 360, accuracy: 2)   // the training normals' 0.8 quantile
        // Percentiles rise with the score and spread over the training normals.
        let rows = csvRows(try imdad("score", "c05.imdad", "train.csv").stdout).sorted { Float($0["score"]!)! < Float($1["score"]!)! }
        let percentiles = rows.map { Double($0["percentile"]!)! }
        XCTAssertEqual(percentiles, percentiles.sorted())
        XCTAssertLessThan(percentiles[40], 20)
        XCTAssertGreaterThan(percentiles[300], 70)
        try assertFails(["score", "c05.imdad", "train.csv", "--threshold", "rate:2", "-o", "x.csv"],
                        mentions: ["--threshold", "sphere", "rate:<p>"], noOutput: "x.csv")
    }

    // MARK: 6. outputs tools read

    func testHeaderFirstMetadataAndBadRows() throws {
        try write("train.csv", table())
        XCTAssertEqual(try train(["--label-column", "class", "--anomaly-label", "fraud", "--id-column", "id"]).status, 0)
        var lines = table(rows: 30, start: 200).split(separator: "\n").map(String.init)
        lines[4] = lines[4].replacingOccurrences(of: ",ok", with: ",ok,extra")        // data row 4: ragged
        lines[9] = "T1208,abc,0.1,0.2,ok"                                                 // data row 9: text in a feature
        try write("bad.csv", lines.joined(separator: "\n") + "\n")
        try assertFails(["score", "model.imdad", "bad.csv", "-o", "s.csv", "--metadata", "meta.json"],
                        mentions: ["bad.csv", "row 4 (line 5)"], noOutput: "s.csv")
        XCTAssertFalse(exists("meta.json"))
        let r = try imdad("score", "model.imdad", "bad.csv", "--on-bad-row", "skip", "-o", "s.csv", "--metadata", "meta.json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("row 4 (line 5)") && r.stderr.contains("row 9 (line 10)") && r.stderr.contains("2 rows skipped"),
                      r.stderr)
        let text = String(decoding: try bytes("s.csv"), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("row,id,score,percentile,zone,prediction,label\n"), text)
        let numbers = csvRows(text).map { Int($0["row"]!)! }
        XCTAssertEqual(numbers, (1...30).filter { $0 != 4 && $0 != 9 }, "rows keep their numbers in the file")
        let meta = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try bytes("meta.json"))) as? [String: Any])
        XCTAssertEqual(meta["rows"] as? Int, 28)
        XCTAssertEqual(meta["skipped_rows"] as? Int, 2)
        XCTAssertEqual(meta["method"] as? String, "imdad")
        XCTAssertNotNil(meta["threshold_rule"] as? String)
    }

    // MARK: 8. one voice for errors

    func testInvalidChoicesListTheValidOnesInTheSubcommandsUsage() throws {
        try write("train.csv", table())
        let r = try imdad("train", "train.csv", "-o", "m.imdad", "--method", "svm")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("imdad train") && r.stderr.contains("deepsad-balanced") && r.stderr.contains("iforest"), r.stderr)
        XCTAssertFalse(exists("m.imdad"))
        XCTAssertEqual(try train(["--label-column", "class", "--anomaly-label", "fraud", "--id-column", "id"]).status, 0)
        for spelling in ["nearestNormal", "nearest-normal"] {
            let e = try imdad("explain", "model.imdad", "train.csv", "--baseline", spelling, "--most", "1")
            XCTAssertEqual(e.status, 0, "--baseline \(spelling): \(e.stderr)")
        }
        let bad = try imdad("explain", "model.imdad", "train.csv", "--baseline", "median")
        XCTAssertTrue(bad.stderr.contains("nearest-normal") && bad.stderr.contains("imdad explain"), bad.stderr)
    }
}
