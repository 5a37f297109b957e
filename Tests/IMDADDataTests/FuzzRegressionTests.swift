import Foundation
import XCTest
@testable import IMDADData
import IMDADTestSupport

/// Bugs the `csv` fuzz target found in the reading paths of issue 23 (Fuzz/RESULTS.md); each input
/// is also in Fuzz/corpus/csv/regression-*.
final class FuzzRegressionTests: XCTestCase {
    /// Reads `text` whole and streamed (every chunk size 1…3) with `options`; both must agree.
    func readBoth(_ text: String, _ options: TabularReadOptions)
        throws -> (whole: TabularFile, labels: [Int]?, rowNumbers: [Int], skipped: [DataError]) {
        let dir = try TempDir()
        let url = try dir.write("t.csv", text)
        let whole = try TabularData.read(url: url, options: options)
        for chunkRows in 1...3 {
            let reader = try CSVChunkReader(url: url, options: options, chunkRows: chunkRows)
            var features: [Double] = [], labels: [Int]?, rows: [Int] = []
            while let c = try reader.next() {
                features += c.features
                if let l = c.labels { labels = (labels ?? []) + l }
                rows += c.rowNumbers
            }
            XCTAssertEqual(features, whole.data.features, "chunks of \(chunkRows)")
            XCTAssertEqual(labels, whole.data.labels, "chunks of \(chunkRows)")
            XCTAssertEqual(rows, whole.rowNumbers, "chunks of \(chunkRows)")
            XCTAssertEqual(reader.skipped.map(\.position), whole.skipped.map(\.position), "chunks of \(chunkRows)")
        }
        return (whole, whole.data.labels, whole.rowNumbers, whole.skipped)
    }

    /// `regression-skipped-row-label`: a row left out under skipBadRows (here for a non-numeric
    /// feature) recorded its label value without classifying it; a later good row with the same
    /// value then trapped (index out of range) in the chunk reader, and the whole-file reader
    /// counted the left-out row's label.
    func testSkippedRowLeavesNoLabelBehind() throws {
        var o = TabularReadOptions(labelColumn: "y")
        o.skipBadRows = true
        let r = try readBoth("y,a\n0,x\n0,1\n1,2\n", o)
        XCTAssertEqual(r.whole.data.features, [1, 2])
        XCTAssertEqual(r.labels, [0, 1])
        XCTAssertEqual(r.rowNumbers, [2, 3])
        XCTAssertEqual(r.skipped.map(\.kind), [.nonNumeric])
        // A ragged row's label does not count either (it used to make the whole-file reader refuse "7").
        let s = try readBoth("y,a\n7\n0,1\n1,2\n", o)
        XCTAssertEqual(s.labels, [0, 1])
        XCTAssertEqual(s.skipped.map(\.kind), [.raggedRow])
    }

    /// A label the mapping refuses is a bad row under skipBadRows, in both readers, and so is every
    /// later row with that value (it used to trap in the chunk reader, and the whole-file reader
    /// refused the file where the stream left the row out).
    func testRefusedLabelsAreLeftOutByBothReaders() throws {
        var o = TabularReadOptions(labelColumn: "y")
        o.skipBadRows = true
        let r = try readBoth("a,y\n1,0\n2,x\n3,1\n4,x\n5,z\n6,0\n", o)
        XCTAssertEqual(r.whole.data.features, [1, 3, 6])
        XCTAssertEqual(r.labels, [0, 1, 0])
        XCTAssertEqual(r.rowNumbers, [1, 3, 6])
        XCTAssertEqual(r.skipped.map(\.kind), [.badLabel, .badLabel, .badLabel])
        XCTAssertEqual(r.skipped.map(\.position),
                       ["row 2 (line 3), column 'y'", "row 4 (line 5), column 'y'", "row 5 (line 6), column 'y'"])
        XCTAssertTrue(r.skipped[2].found?.contains("\"z\"") == true, r.skipped[2].description)
        // One-sided mapping: the first other value is the normal class, later others are left out.
        o.labelMapping = LabelMapping(anomalyValue: "fraud")
        let s = try readBoth("a,y\n1,ok\n2,fraud\n3,odd\n4,ok\n", o)
        XCTAssertEqual(s.labels, [0, 1, 0])
        XCTAssertEqual(s.rowNumbers, [1, 2, 4])
        XCTAssertEqual(s.whole.schema.labelMapping, LabelMapping(anomalyValue: "fraud", normalValue: "ok"))
        // Without skipBadRows the file is refused, as before.
        o.skipBadRows = false
        XCTAssertThrowsError(try TabularData.readCSV(Array("a,y\n1,ok\n2,fraud\n3,odd\n".utf8), options: o))
    }

    /// `regression-feature-as-id`: a column the schema has as a feature, named for this file as an
    /// id (or the label, or ignored), was read as 0 in every row. Now refused.
    func testFeatureCannotTakeAnotherRole() throws {
        let schema = TableSchema(featureNames: ["a", "b"])
        let text = Array("a,b\n1,2\n".utf8)
        for o in [TabularReadOptions(idColumns: ["a"]), TabularReadOptions(labelColumn: "b"), TabularReadOptions(ignoredColumns: ["a"])] {
            var o = o
            o.schema = schema
            XCTAssertThrowsError(try TabularData.readCSV(text, file: "s.csv", options: o)) { e in
                XCTAssertEqual((e as? DataError)?.kind, .malformedHeader)
                XCTAssertTrue("\(e)".contains("both a feature of the model and the"), "\(e)")
            }
        }
        // A column in two roles at once (the schema's id named as this file's label) is refused too.
        var o = TabularReadOptions(labelColumn: "id", schema: TableSchema(featureNames: ["a"], idColumns: ["id"]))
        XCTAssertThrowsError(try TabularData.readCSV(Array("id,a\n1,2\n".utf8), options: o)) { e in
            XCTAssertTrue("\(e)".contains("both label column and id column"), "\(e)")
        }
        // A schema naming a feature twice (a damaged model file) is refused, not read into one slot.
        o = TabularReadOptions(schema: TableSchema(featureNames: ["a", "a"]))
        XCTAssertThrowsError(try TabularData.readCSV(Array("a\n1\n".utf8), options: o))
        XCTAssertEqual(TableSchema(featureNames: ["a", "a"]).inconsistency, "feature 'a' named twice")
        XCTAssertEqual(TableSchema(featureNames: ["a"], idColumns: ["a"]).inconsistency, "column 'a' is both a feature and an id column")
        XCTAssertNil(TableSchema(featureNames: ["a"], labelColumn: "y", idColumns: ["id"], ignoredColumns: ["n"]).inconsistency)
    }

    /// `regression-schema-label-dropped`: scoring with a schema whose training label `y` is still in
    /// the file while this file's label is another column. `y` is dropped, but the plan did not list
    /// it among the dropped columns, so a reader told the plan's roles (the harness's reference,
    /// or any consumer of ``ColumnPlan/ignoredColumns``) read `y` as a feature. Now the plan lists
    /// every column it drops, and the two reads agree.
    func testPlanListsTheSchemasLabelItDrops() throws {
        let schema = TableSchema(featureNames: ["x1"], labelColumn: "y")
        let plan = try schema.plan(header: ["x1", "x:", "y"], labelColumn: "x:")
        XCTAssertEqual(plan.featureColumns, [0])
        XCTAssertEqual(plan.labelColumn, 1)
        XCTAssertEqual(plan.ignoredColumns, [2])
        // Explicitly ignored columns come first, then the others in file order.
        let both = try TableSchema(featureNames: ["a"], labelColumn: "y", ignoredColumns: ["n"])
            .plan(header: ["y", "a", "n", "t"], labelColumn: "t")
        XCTAssertEqual(both.ignoredColumns, [2, 0])
        // The fuzzer's input: with the schema, and with the plan's roles named outright, the same table.
        let text = "x1,x:,y\n1,0,junk\n3,1,2-1\n"
        var withSchema = TabularReadOptions(labelColumn: "x:", schema: schema)
        withSchema.skipBadRows = true
        let a = try readBoth(text, withSchema)
        let roles = TabularReadOptions(labelColumn: "x:", ignoredColumns: plan.ignoredColumns.map { plan.header[$0] })
        let b = try readBoth(text, roles)
        XCTAssertEqual(a.whole.data.features, [1, 3])
        XCTAssertEqual(b.whole.data.features, a.whole.data.features)
        XCTAssertEqual(b.labels, a.labels)
        XCTAssertEqual(b.rowNumbers, a.rowNumbers)
    }
}
