import Foundation
import XCTest
@testable import IMDADData

/// Header rows, id and ignored columns, and labels as people write them.
final class HeaderIDLabelTests: XCTestCase {
    func read(_ text: String, _ options: TabularReadOptions = TabularReadOptions()) throws -> TabularFile {
        try TabularData.readCSV(Array(text.utf8), file: "d.csv", options: options)
    }

    // MARK: headers

    func testNumericFirstLineRefused() throws {
        let e = assertDataError(.headerLooksLikeData, contains: ["d.csv", "line 1 (header)", "\"1,2.5,-3\"",
                                                                 "looks like data", "hasHeader: false"]) {
            try self.read("1,2.5,-3\n4,5,6\n")
        }
        XCTAssertEqual(e?.kind, .headerLooksLikeData)
        // The original API refuses it too; the position names the header's real line.
        assertDataError(.headerLooksLikeData, contains: ["line 3 (header)"]) {
            try TabularData.parseCSV(Array("\n\n1,2\n3,4\n".utf8), file: "d.csv")
        }
        // One name among numbers is a header.
        XCTAssertEqual(try read("1,b\n3,4\n").data.featureNames, ["1", "b"])
        // Quoted numbers (pandas' QUOTE_ALL data) are still numbers.
        assertDataError(.headerLooksLikeData) { try self.read("\"1\",\"2\"\n\"3\",\"4\"\n") }
    }

    func testWithoutHeaderColumnsArePositional() throws {
        let t = try read("1,2,0\n3,4,1\n", TabularReadOptions(labelColumn: "c2", hasHeader: false))
        XCTAssertEqual(t.data.featureNames, ["c0", "c1"])
        XCTAssertEqual(t.data.features, [1, 2, 3, 4])
        XCTAssertEqual(t.data.labels, [0, 1])
        XCTAssertEqual(t.schema, TableSchema(featureNames: ["c0", "c1"], labelColumn: "c2", hasHeader: false))
        // Row numbers still count file lines: the first row is line 1.
        assertDataError(.nonNumeric, contains: ["row 2 (line 2), column 'c1'"]) {
            try self.read("1,2\n3,x\n", TabularReadOptions(hasHeader: false))
        }
        // Scoring against a schema without names: read without header, checked by count.
        let s = try read("5,6,1\n", TabularReadOptions(schema: t.schema))
        XCTAssertEqual(s.data.features, [5, 6])
        XCTAssertEqual(s.data.labels, [1])
        XCTAssertEqual(s.plan?.byCount, true)
        assertDataError(.columnCountMismatch, contains: ["2 feature columns", "found 3", "by count",
                                                         "training data had no column names"]) {
            try self.read("5,6,7,1\n", TabularReadOptions(schema: t.schema))
        }
        // A model with names, a file read without header: the hint says so.
        assertDataError(.schemaMismatch, contains: ["missing: ['a', 'b']", "read without a header row"]) {
            try self.read("1,2\n", TabularReadOptions(hasHeader: false, schema: TableSchema(featureNames: ["a", "b"])))
        }
    }

    // MARK: ids and ignored columns

    func testIDColumnsAreCarriedNotFeatures() throws {
        let text = "id,a,site,b,note\n007,1,north-1,2,hello\nA 12,3,south,4,\"x, y\"\n"
        let t = try read(text, TabularReadOptions(idColumns: ["id", "site"], ignoredColumns: ["note"]))
        XCTAssertEqual(t.data.featureNames, ["a", "b"])
        XCTAssertEqual(t.data.features, [1, 2, 3, 4])
        XCTAssertEqual(t.data.idColumns, ["id", "site"])
        XCTAssertEqual(t.data.ids, [["007", "north-1"], ["A 12", "south"]])
        XCTAssertEqual(t.schema.idColumns, ["id", "site"])
        XCTAssertEqual(t.schema.ignoredColumns, ["note"])
        // Subsets keep ids with their rows.
        XCTAssertEqual(t.data.subset(rows: [1, 1, 0]).ids, [["A 12", "south"], ["A 12", "south"], ["007", "north-1"]])
        // Without naming them, the text columns are an error, not silently features.
        assertDataError(.nonNumeric, contains: ["column 'site'"]) { try self.read("a,site\n1,x\n") }
        // Scoring: the schema's ids are carried where present, and may be absent.
        let s = try read("b,note,a,site\n2,z,1,n\n", TabularReadOptions(schema: t.schema))
        XCTAssertEqual(s.data.features, [1, 2])
        XCTAssertEqual(s.data.idColumns, ["site"])
        XCTAssertEqual(s.data.ids, [["n"]])
        let bare = try read("a,b\n1,2\n", TabularReadOptions(schema: t.schema))
        XCTAssertNil(bare.data.ids)
        XCTAssertEqual(bare.data.idColumns, [])
    }

    func testIDLikeFeatures() throws {
        func table(_ cols: [String: [Double]], order: [String]) -> TabularData {
            let rows = cols[order[0]]!.count
            var f: [Double] = []
            for r in 0..<rows { for c in order { f.append(cols[c]![r]) } }
            return TabularData(rows: rows, columns: order.count, features: f, featureNames: order)
        }
        let n = 30
        let rising = (0..<n).map { Double(1000 + 3 * $0) }
        let shuffled = (0..<n).map { Double(($0 * 7) % n) }
        let fractional = (0..<n).map { Double($0) + 0.5 }
        let repeated = (0..<n).map { Double($0 / 2) }
        let decreasing = (0..<n).map { Double(n - $0) }
        let t = table(["id": rising, "shuf": shuffled, "frac": fractional, "rep": repeated, "dec": decreasing,
                       "rowno": (0..<n).map(Double.init)],
                      order: ["shuf", "id", "frac", "rep", "dec", "rowno"])
        XCTAssertEqual(idLikeFeatures(t), ["id", "rowno"])
        // Too few rows to tell.
        XCTAssertEqual(idLikeFeatures(t.subset(rows: Array(0..<19))), [])
        XCTAssertEqual(idLikeFeatures(t.subset(rows: Array(0..<19)), minimumRows: 5), ["id", "rowno"])
        // A single out-of-order row clears the suspicion.
        var u = t
        u.features[5 * u.columns + 1] = 0
        XCTAssertEqual(idLikeFeatures(u), ["rowno"])
    }

    // MARK: labels

    func labels(_ values: [String], _ mapping: LabelMapping = LabelMapping()) throws -> [Int] {
        let text = "a,label\n" + values.enumerated().map { "\($0.offset),\($0.element)" }.joined(separator: "\n") + "\n"
        return try read(text, TabularReadOptions(labelColumn: "label", labelMapping: mapping)).data.labels ?? []
    }

    func testZeroOneDefault() throws {
        XCTAssertEqual(try labels(["0", "1", "1.0", " 0 ", "0.0"]), [0, 1, 1, 0, 0])
        let e = assertDataError(.badLabel, contains: ["row 1 (line 2), column 'label'", "a label 0 (normal) or 1 (anomaly)",
                                                      "found \"yes\"", "\"no\" ×3", "\"yes\" ×2", "anomalyValue"]) {
            try self.labels(["yes", "no", "no", "yes", "no"])
        }
        XCTAssertEqual(e?.found, "\"yes\"")
        assertDataError(.badLabel, contains: ["row 3 (line 4)", "found \"2\"", "\"0\" ×1", "\"1\" ×1", "\"2\" ×1"]) {
            try self.labels(["0", "1", "2"])
        }
        // Many distinct values: the list is capped.
        assertDataError(.badLabel, contains: ["and 5 more"]) { try self.labels((0..<15).map { "v\($0)" }) }
        assertDataError(.missingValue, contains: ["row 2 (line 3), column 'label'", "empty cell"]) {
            try TabularData.readCSV(Array("a,label\n1,0\n2,\n".utf8), options: TabularReadOptions(labelColumn: "label"))
        }
    }

    func testYesNoTrueFalseCaseInsensitive() throws {
        let yesNo = LabelMapping(anomalyValue: "yes", normalValue: "no")
        XCTAssertEqual(try labels(["yes", "No", " YES ", "no"], yesNo), [1, 0, 1, 0])
        let tf = LabelMapping(anomalyValue: "True", normalValue: "false")
        XCTAssertEqual(try labels(["true", "FALSE", "False", "TRUE"], tf), [1, 0, 0, 1])
        XCTAssertEqual(try LabelMapping(anomalyValue: "yes", normalValue: "no").map(["no", "yes"]), [0, 1])
    }

    func testScikitLearnMinusOneIsAnomaly() throws {
        XCTAssertEqual(try labels(["1", "-1", "1", "-1.0"], .scikitLearn), [0, 1, 0, 1])
        let t = try read("a,y\n1,1\n2,-1\n", TabularReadOptions(labelColumn: "y", labelMapping: .scikitLearn))
        XCTAssertEqual(t.schema.labelMapping, .scikitLearn)
        // The stored mapping is applied when scoring.
        let s = try read("y,a\n-1,5\n1,6\n", TabularReadOptions(schema: t.schema))
        XCTAssertEqual(s.data.labels, [1, 0])
    }

    func testAnomalyValueOnly() throws {
        let fraud = LabelMapping(anomalyValue: "fraud")
        XCTAssertEqual(try labels(["legit", "fraud", "legit", "Fraud"], fraud), [0, 1, 0, 1])
        // Every row an anomaly, or none: still fine.
        XCTAssertEqual(try labels(["fraud", "fraud"], fraud), [1, 1])
        XCTAssertEqual(try labels(["ok", "ok"], fraud), [0, 0])
        // The resolved mapping names the normal value for the model to store.
        let t = try read("a,y\n1,legit\n2,fraud\n", TabularReadOptions(labelColumn: "y", labelMapping: fraud))
        XCTAssertEqual(t.schema.labelMapping, LabelMapping(anomalyValue: "fraud", normalValue: "legit"))
        XCTAssertEqual(try fraud.resolved(for: ["legit", "fraud"]), LabelMapping(anomalyValue: "fraud", normalValue: "legit"))
        // Two other values: refused, listing them.
        let e = assertDataError(.badLabel, contains: ["column 'label'", "besides \"fraud\" (anomaly) exactly one other value",
                                                      "2 other values", "\"legit\" ×2", "\"unknown\" ×1", "\"fraud\" ×1",
                                                      "normalValue"]) {
            try self.labels(["legit", "fraud", "unknown", "legit"], fraud)
        }
        XCTAssertEqual(e?.position, "column 'label'")
        // Only a normal value: the one other value is the anomaly.
        XCTAssertEqual(try labels(["ok", "bad", "ok"], LabelMapping(normalValue: "OK")), [0, 1, 0])
    }

    func testUnexpectedValueNamesRowAndValues() throws {
        let m = LabelMapping(anomalyValue: "fraud", normalValue: "legit")
        let text = "a,label\n1,legit\n\n2,fraud\n3,Legit\n4,fruad\n5,legit\n"
        let e = assertDataError(.badLabel, contains: ["d.csv: row 4 (line 6), column 'label'",
                                                      "\"fraud\" (anomaly) or \"legit\" (normal)", "found \"fruad\"",
                                                      "\"legit\" ×3", "\"fraud\" ×1", "\"fruad\" ×1"]) {
            try self.read(text, TabularReadOptions(labelColumn: "label", labelMapping: m))
        }
        XCTAssertEqual(e?.position, "row 4 (line 6), column 'label'")
        // Same value for both: refused before reading.
        assertDataError(.badLabel, contains: ["different values", "\"1\" for both"]) {
            try self.labels(["1"], LabelMapping(anomalyValue: "1", normalValue: "1.0"))
        }
        // The library API on plain values.
        assertDataError(.badLabel, contains: ["row 2 (line 9)", "\"maybe\""]) {
            try m.map(["fraud", "maybe"], file: "f", column: "label", lines: [8, 9])
        }
    }

    func testRowNumbersAreConsistent() {
        // Row k is the k-th data row; line m the file line (header = line 1, blank lines count,
        // a quoted field may span lines). The same numbers in every kind of error.
        let head = "a,b,y,note\n\n1,2,0,x\n3,4,0,\"two\nlines\"\n"
        let opts = TabularReadOptions(labelColumn: "y", ignoredColumns: ["note"])
        assertDataError(.nonNumeric, contains: ["row 3 (line 6), column 'b'"]) { try self.read(head + "5,x,0,z\n", opts) }
        assertDataError(.badLabel, contains: ["row 3 (line 6), column 'y'"]) { try self.read(head + "5,6,7,z\n", opts) }
        assertDataError(.raggedRow, contains: ["row 3 (line 6)"]) { try self.read(head + "5,6\n", opts) }
        XCTAssertEqual(try read(head, opts).data.rows, 2)
    }
}
