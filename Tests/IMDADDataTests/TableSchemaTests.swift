import Foundation
import XCTest
@testable import IMDADData
import IMDADTestSupport

/// Columns by name: training records a schema, scoring files are matched to it.
final class TableSchemaTests: XCTestCase {
    func train(_ text: String, _ options: TabularReadOptions = TabularReadOptions()) throws -> TabularFile {
        try TabularData.readCSV(Array(text.utf8), file: "train.csv", options: options)
    }

    func score(_ text: String, schema: TableSchema, _ options: TabularReadOptions = TabularReadOptions()) throws -> TabularFile {
        var o = options
        o.schema = schema
        return try TabularData.readCSV(Array(text.utf8), file: "score.csv", options: o)
    }

    let trainText = "a,b,c,y\n1,2,3,0\n4,5,6,1\n7,8,9,0\n"

    func testTrainingRecordsSchema() throws {
        let t = try train(trainText, TabularReadOptions(labelColumn: "y"))
        XCTAssertEqual(t.schema, TableSchema(featureNames: ["a", "b", "c"], labelColumn: "y", hasHeader: true))
        XCTAssertEqual(t.data.featureNames, ["a", "b", "c"])
        XCTAssertEqual(t.data.features, [1, 2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(t.data.labels, [0, 1, 0])
        XCTAssertNil(t.data.ids)
    }

    func testReorderedColumnsGiveTheSameFeatures() throws {
        let t = try train(trainText, TabularReadOptions(labelColumn: "y"))
        let s = try score("c,y,a,b\n3,0,1,2\n6,1,4,5\n9,0,7,8\n", schema: t.schema)
        XCTAssertEqual(s.data.features, t.data.features)
        XCTAssertEqual(s.data.featureNames, ["a", "b", "c"])
        XCTAssertEqual(s.data.labels, [0, 1, 0])
        XCTAssertEqual(s.plan?.featureColumns, [2, 3, 0])
        XCTAssertEqual(s.plan?.isReordered, true)
        // Without the label column the features are the same, the labels absent.
        let u = try score("b,c,a\n2,3,1\n5,6,4\n8,9,7\n", schema: t.schema)
        XCTAssertEqual(u.data.features, t.data.features)
        XCTAssertNil(u.data.labels)
        XCTAssertEqual(try score(trainText, schema: t.schema).plan?.isReordered, false)
    }

    func testMissingFeatureListsIt() throws {
        let schema = try train(trainText, TabularReadOptions(labelColumn: "y")).schema
        let e = assertDataError(.schemaMismatch, contains: ["score.csv", "missing: ['c']"]) {
            try score("a,b,y\n1,2,0\n", schema: schema)
        }
        XCTAssertEqual(e?.found, "missing: ['c']")
        XCTAssertFalse(e?.description.contains("unexpected") ?? true)
    }

    func testUnknownFeatureListsIt() throws {
        let schema = try train(trainText, TabularReadOptions(labelColumn: "y")).schema
        let e = assertDataError(.schemaMismatch, contains: ["unexpected: ['d', 'e']", "ignoredColumns"]) {
            try score("a,b,c,d,e\n1,2,3,4,5\n", schema: schema)
        }
        XCTAssertEqual(e?.found, "unexpected: ['d', 'e']")
        // Naming them ignored for this file lets it through.
        let s = try score("a,b,c,d,e\n1,2,3,4,5\n", schema: schema, TabularReadOptions(ignoredColumns: ["d", "e"]))
        XCTAssertEqual(s.data.features, [1, 2, 3])
    }

    func testRenamedFeatureSuggestsRename() throws {
        let schema = TableSchema(featureNames: ["age", "weight", "height"])
        let e = assertDataError(.schemaMismatch,
                                contains: ["missing: ['weight'], unexpected: ['mass']", "renamed to 'mass'"]) {
            try score("height,age,mass\n1,2,3\n", schema: schema)
        }
        XCTAssertEqual(e?.found, "missing: ['weight'], unexpected: ['mass']")
        // Two of each: no rename guess, the trained features are listed.
        let f = assertDataError(.schemaMismatch, contains: ["missing: ['weight', 'height']", "unexpected: ['w', 'h']",
                                                            "trained on 3 features"]) {
            try score("age,w,h\n1,2,3\n", schema: schema)
        }
        XCTAssertFalse(f?.description.contains("renamed") ?? true)
    }

    func testSchemaDifference() {
        let schema = TableSchema(featureNames: ["a", "b"], labelColumn: "y", idColumns: ["id"], ignoredColumns: ["note"])
        XCTAssertTrue(schema.difference(header: ["id", "b", "note", "a", "y"]).isEmpty)
        let d = schema.difference(header: ["id", "a", "bb"])
        XCTAssertEqual(d, SchemaDifference(missing: ["b"], unexpected: ["bb"]))
        XCTAssertEqual(d.possibleRename?.from, "b")
        XCTAssertEqual(d.possibleRename?.to, "bb")
        XCTAssertEqual(d.description, "missing: ['b'], unexpected: ['bb']")
        XCTAssertNil(SchemaDifference(missing: ["a", "b"], unexpected: ["c"]).possibleRename)
    }

    func testDuplicateColumnNamesRefused() {
        assertDataError(.malformedHeader, contains: ["'a' twice", "fields 1 and 3"]) { try self.train("a,b,a\n1,2,3\n") }
        let schema = TableSchema(featureNames: ["a", "b"])
        assertDataError(.malformedHeader, contains: ["'b' twice"]) { try self.score("a,b,b\n1,2,3\n", schema: schema) }
        assertDataError(.malformedHeader, contains: ["one role per column"]) {
            try self.train("a,b\n1,2\n", TabularReadOptions(labelColumn: "a", idColumns: ["a"]))
        }
    }

    func testRequestedColumnsMustExist() {
        assertDataError(.missingColumn, contains: ["label column named 'label'", "'a', 'b'"]) {
            try self.train("a,b\n1,2\n", TabularReadOptions(labelColumn: "label"))
        }
        assertDataError(.missingColumn, contains: ["id column named 'id'"]) {
            try self.train("a,b\n1,2\n", TabularReadOptions(idColumns: ["id"]))
        }
        assertDataError(.missingColumn, contains: ["ignored column named 'z'"]) {
            try self.train("a,b\n1,2\n", TabularReadOptions(ignoredColumns: ["z"]))
        }
        let schema = TableSchema(featureNames: ["a"])
        assertDataError(.missingColumn, contains: ["id column named 'key'"]) {
            try self.score("a\n1\n", schema: schema, TabularReadOptions(idColumns: ["key"]))
        }
        assertDataError(.empty, contains: ["besides the label, id and ignored columns"]) {
            try self.train("id,y\nx,1\n", TabularReadOptions(labelColumn: "y", idColumns: ["id"]))
        }
    }

    func testSchemaCodableAndTolerantDecoding() throws {
        let s = TableSchema(featureNames: ["a", "b"], labelColumn: "class",
                            labelMapping: LabelMapping(anomalyValue: "fraud", normalValue: "legit"),
                            idColumns: ["id"], ignoredColumns: ["note"], hasHeader: true)
        let back = try JSONDecoder().decode(TableSchema.self, from: JSONEncoder().encode(s))
        XCTAssertEqual(back, s)
        let minimal = try JSONDecoder().decode(TableSchema.self, from: Data(#"{"featureNames":["x0"]}"#.utf8))
        XCTAssertEqual(minimal, TableSchema(featureNames: ["x0"]))
        XCTAssertThrowsError(try JSONDecoder().decode(TableSchema.self, from: Data("{}".utf8))) { e in
            guard case DecodingError.keyNotFound(let key, _) = e else { return XCTFail("wrong error \(e)") }
            XCTAssertEqual(key.stringValue, "featureNames")
        }
    }

    // MARK: arrays: by count

    func npz(_ arrays: [(String, NPYArray)]) throws -> NPZArchive {
        try NPZArchive(bytes: NPZArchive.encode(arrays.map { (name: $0.0, array: $0.1) }), file: "s.npz")
    }

    func testArraysAreCheckedByCount() throws {
        let schema = TableSchema(featureNames: ["a", "b", "c"], labelColumn: "y")
        let x2 = NPYArray(shape: [2, 2], values: [1, 2, 3, 4])
        let e = assertDataError(.columnCountMismatch, contains: ["s.npz", "array 'X'", "3 feature columns", "found 2",
                                                                 "by count", "no column names"]) {
            try TabularData.read(npz: self.npz([("X", x2)]), options: TabularReadOptions(schema: schema))
        }
        XCTAssertEqual(e?.found, "2")
        assertDataError(.columnCountMismatch, contains: ["m.npy", "by count"]) {
            try TabularData.read(npy: x2, source: "m.npy", options: TabularReadOptions(schema: schema))
        }
        let x3 = NPYArray(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let ok = try TabularData.read(npz: npz([("X", x3), ("y", NPYArray(shape: [2], values: [0, 1]))]),
                                      options: TabularReadOptions(schema: schema))
        XCTAssertEqual(ok.data.featureNames, ["a", "b", "c"])
        XCTAssertEqual(ok.data.labels, [0, 1])
        XCTAssertNil(ok.plan)
        // Training on an array: a schema without names.
        let t = try TabularData.read(npy: x3, source: "m.npy")
        XCTAssertEqual(t.schema, TableSchema(featureNames: ["x0", "x1", "x2"], hasHeader: false))
        assertDataError(.missingColumn, contains: ["no column names"]) {
            try TabularData.read(npy: x3, source: "m.npy", options: TabularReadOptions(idColumns: ["id"]))
        }
    }

    func testArrayLabelsThroughAMapping() throws {
        let x = NPYArray(shape: [3, 1], values: [1, 2, 3])
        let y = NPYArray(shape: [3], values: [1, -1, 1])
        let t = try TabularData.read(npz: npz([("X", x), ("y", y)]),
                                     options: TabularReadOptions(labelMapping: .scikitLearn))
        XCTAssertEqual(t.data.labels, [0, 1, 0])
        XCTAssertEqual(t.schema.labelMapping, .scikitLearn)
        assertDataError(.badLabel, contains: ["array 'y', element 1", "\"-1\""]) {
            try TabularData.read(npz: self.npz([("X", x), ("y", y)]))
        }
        let y3 = NPYArray(shape: [3], values: [1, -1, 2])
        assertDataError(.badLabel, contains: ["array 'y', element 2", "\"2\""]) {
            try TabularData.read(npz: self.npz([("X", x), ("y", y3)]), options: TabularReadOptions(labelMapping: .scikitLearn))
        }
    }

    // MARK: streaming reader

    func testChunkReaderMatchesSchemaByName() throws {
        let dir = try TempDir()
        let t = try train("id,a,b,class\nr1,1,2,no\nr2,3,4,yes\n",
                          TabularReadOptions(labelColumn: "class", labelMapping: LabelMapping(anomalyValue: "yes"),
                                             idColumns: ["id"]))
        XCTAssertEqual(t.schema.labelMapping, LabelMapping(anomalyValue: "yes", normalValue: "no"))
        var text = "b,class,a,id\n"
        var expected: [Double] = []
        for i in 0..<250 {
            text += "\(i * 2),\(i % 10 == 0 ? "YES" : "no"),\(i),row-\(i)\n"
            expected += [Double(i), Double(i * 2)]
        }
        let url = try dir.write("s.csv", text)
        let reader = try CSVChunkReader(url: url, options: TabularReadOptions(schema: t.schema), chunkRows: 100)
        XCTAssertEqual(reader.featureNames, ["a", "b"])
        XCTAssertEqual(reader.idColumns, ["id"])
        var features: [Double] = [], labels: [Int] = [], ids: [[String]] = []
        while let c = try reader.next() {
            features += c.features
            labels += c.labels ?? []
            ids += c.ids ?? []
            let tab = c.tabular(featureNames: reader.featureNames, source: "s.csv", idColumns: reader.idColumns)
            XCTAssertEqual(tab.ids?.count, c.rows)
        }
        XCTAssertEqual(features, expected)
        XCTAssertEqual(labels, (0..<250).map { $0 % 10 == 0 ? 1 : 0 })
        XCTAssertEqual(ids.first, ["row-0"])
        XCTAssertEqual(ids.count, 250)
        // The whole-file reader agrees.
        let whole = try TabularData.read(url: url, options: TabularReadOptions(schema: t.schema))
        XCTAssertEqual(whole.data.features, expected)
        XCTAssertEqual(whole.data.labels, labels)
        XCTAssertEqual(whole.data.ids, ids)

        assertDataError(.schemaMismatch, contains: ["missing: ['b']"]) {
            try CSVChunkReader(url: dir.write("m.csv", "a,id\n1,x\n"), options: TabularReadOptions(schema: t.schema))
        }
        // A second value besides the anomaly value, met while streaming, stops at its row.
        let bad = try dir.write("bad.csv", "a,b,class\n1,2,no\n\n3,4,maybe\n")
        let r = try CSVChunkReader(url: bad, options: TabularReadOptions(schema: TableSchema(
            featureNames: ["a", "b"], labelColumn: "class", labelMapping: LabelMapping(anomalyValue: "yes"))))
        assertDataError(.badLabel, contains: ["row 2 (line 4), column 'class'", "\"maybe\"", "\"no\" ×1"]) { try r.next() }
        // The original initializer refuses a numeric first line too.
        assertDataError(.headerLooksLikeData) { try CSVChunkReader(url: dir.write("n.csv", "1,2\n3,4\n")) }
    }
}
