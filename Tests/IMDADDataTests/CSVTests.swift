import Foundation
import XCTest
@testable import IMDADData
import IMDADTestSupport

final class CSVTests: XCTestCase {
    func parse(_ text: String, label: String? = nil, delimiter: Character = ",") throws -> TabularData {
        try TabularData.parseCSV(Array(text.utf8), file: "data.csv", labelColumn: label, delimiter: delimiter)
    }

    func testBasicWithLabelQuotesCRLFAndBOM() throws {
        let text = "\u{FEFF}age,\"weight, kg\",\"the \"\"label\"\"\"\r\n1,2.5,0\r\n\r\n\" 3 \",-4e2,1\r\n5,.5,\"0\""
        let t = try parse(text, label: "the \"label\"")
        XCTAssertEqual(t.rows, 3)
        XCTAssertEqual(t.columns, 2)
        XCTAssertEqual(t.featureNames, ["age", "weight, kg"])
        XCTAssertEqual(t.features, [1, 2.5, 3, -400, 5, 0.5])
        XCTAssertEqual(t.labels, [0, 1, 0])
        XCTAssertEqual(t.source, "data.csv")
        let unlabeled = try parse("a;b\n1;2\n", delimiter: ";")
        XCTAssertNil(unlabeled.labels)
        XCTAssertEqual(unlabeled.features, [1, 2])
    }

    func testRecordsHelper() throws {
        let r = try CSVReader.records(Array("a,\"b\nc\",\"d\"\"e\"\n\n1,2,3".utf8))
        XCTAssertEqual(r, [["a", "b\nc", "d\"e"], ["1", "2", "3"]])
    }

    func testNumberParsingMatchesSwift() throws {
        let texts = ["0", "-0.5", ".5", "5.", "+3", "1e5", "1E-5", "-2.5e+10", "0.1", "3.14159265358979323846",
                     "123456789012345678901234", "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308",
                     "9007199254740993", "0.000000000000000000000000001", "1e22", "1e23", "12345678901234567890e-20",
                     "  42  ", "1.0000000000000002", "-0"]
        for s in texts {
            let expected = Double(s.trimmingCharacters(in: .whitespaces))
            let t = try parse("x\n\(s)\n")
            XCTAssertEqual(t.features[0], expected, s)
            XCTAssertEqual(t.features[0].sign, expected?.sign, s)
        }
        var rng = SplitMix(state: 7)
        var text = "x\n"
        var values: [Double] = []
        for _ in 0..<2000 {
            let v = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random(using: &rng) ? 1 : -1)
            let w = Double(Int64.random(in: -1_000_000...1_000_000, using: &rng)) / 1000
            values += [v, w]
            text += "\(v)\n\(w)\n"
        }
        XCTAssertEqual(try parse(text).features, values)
    }

    func testRaggedRow() {
        assertDataError(.raggedRow, contains: ["data.csv: row 2 (line 3)", "3 fields", "found 2 fields"]) {
            try parse("a,b,c\n1,2,3\n4,5\n")
        }
        assertDataError(.raggedRow, contains: ["row 1 (line 2)", "more than 2"]) { try parse("a,b\n1,2,3\n") }
    }

    func testNonNumericMessage() {
        let e = assertDataError(.nonNumeric) { try parse("id,age\n1,2\n2,3\n3,4\n4,5\n5,abc\n") }
        XCTAssertEqual(e?.position, "row 5 (line 6), column 'age'")
        XCTAssertTrue(e?.description.hasPrefix("data.csv: row 5 (line 6), column 'age': expected a number, found \"abc\"") ?? false,
                      e?.description ?? "")
        assertDataError(.nonNumeric, contains: ["0x10"]) { try parse("a\n0x10\n") }
        assertDataError(.nonNumeric, contains: ["1,5"]) { try parse("a;b\n\"1,5\";2\n", delimiter: ";") }
    }

    func testMissingValues() {
        assertDataError(.missingValue, contains: ["row 1 (line 2), column 'b'", "empty cell"]) { try parse("a,b\n1,\n") }
        for token in ["NA", "n/a", "NULL", "None", "?", "  "] {
            assertDataError(.missingValue, contains: ["column 'a'"]) { try parse("a,b\n\(token),1\n") }
        }
        assertDataError(.missingValue, contains: ["column 'y'"]) { try parse("a,y\n1,\n", label: "y") }
    }

    func testLabelErrors() {
        assertDataError(.missingColumn, contains: ["'label'", "'a', 'b'"]) { try parse("a,b\n1,2\n", label: "label") }
        assertDataError(.badLabel, contains: ["row 2 (line 3), column 'y'", "\"2\""]) { try parse("a,y\n1,0\n1,2\n", label: "y") }
        assertDataError(.badLabel, contains: ["\"yes\""]) { try parse("a,y\n1,yes\n", label: "y") }
        assertDataError(.missingColumn, contains: ["exactly one"]) { try parse("y,y\n1,0\n", label: "y") }
        XCTAssertEqual(try parse("a,y\n1,1.0\n2,0.0\n", label: "y").labels, [1, 0])
    }

    func testNonFinite() {
        assertDataError(.nonFinite, contains: ["row 1 (line 2), column 'b'", "nan"]) { try parse("a,b\n1,nan\n") }
        assertDataError(.nonFinite, contains: ["column 'a'"]) { try parse("a,b\n-inf,1\n") }
        assertDataError(.nonFinite, contains: ["1e999"]) { try parse("a\n1e999\n") }
    }

    func testEmptyAndSyntax() {
        assertDataError(.empty, contains: ["header"]) { try parse("") }
        assertDataError(.empty, contains: ["header"]) { try parse("\n\r\n") }
        assertDataError(.empty, contains: ["data row"]) { try parse("a,b\n") }
        assertDataError(.empty, contains: ["only the label"]) { try parse("y\n1\n", label: "y") }
        assertDataError(.syntax, contains: ["closing quote"]) { try parse("a,b\n1,\"2\n") }
        assertDataError(.syntax, contains: ["row 1 (line 2)", "quote only at the start"]) { try parse("a,b\n1,2\"3\n") }
        assertDataError(.syntax, contains: ["delimiter after the closing quote"]) { try parse("a,b\n1,\"2\"3\n") }
        assertDataError(.syntax, contains: ["delimiter"]) { try parse("a\n1\n", delimiter: "\"") }
    }

    func testNoHeader() throws {
        let t = try TabularData.parseCSV(Array("1,2\n3,4\n".utf8), hasHeader: false)
        XCTAssertEqual(t.rows, 2)
        XCTAssertEqual(t.featureNames, ["c0", "c1"])
    }

    func testQuotedNewlinesKeepLineNumbers() {
        assertDataError(.nonNumeric, contains: ["row 2 (line 4)"]) { try parse("\"a\nb\",c\n1,\"2\"\n3,x\n") }
    }

    func testChunkReaderMatchesWholeFileAcrossBufferBoundaries() throws {
        let dir = try TempDir()
        var text = "f1,\"f 2\",label,f3\n"
        var rng = SplitMix(state: 3)
        let rows = 60_000 // ~1.6 MB, crosses the 1 MiB read block
        for i in 0..<rows {
            let a = Double(Int.random(in: -99999...99999, using: &rng)) / 100
            let q = i % 7 == 0 ? "\"\(i)\"" : "\(i)"
            text += "\(a),\(q),\(i % 10 == 0 ? 1 : 0),\(-a)\(i % 3 == 0 ? "\r\n" : "\n")"
            if i % 5000 == 0 { text += "\n" }
        }
        let url = try dir.write("big.csv", text)
        let whole = try TabularData.load(url: url, labelColumn: "label")
        XCTAssertEqual(whole.rows, rows)
        let reader = try CSVChunkReader(url: url, chunkRows: 7000, labelColumn: "label")
        XCTAssertEqual(reader.header, ["f1", "f 2", "label", "f3"])
        XCTAssertEqual(reader.featureNames, ["f1", "f 2", "f3"])
        var features: [Double] = []
        var labels: [Int] = []
        var firstRows: [Int] = []
        while let chunk = try reader.next() {
            XCTAssertLessThanOrEqual(chunk.rows, 7000)
            XCTAssertEqual(chunk.features.count, chunk.rows * 3)
            firstRows.append(chunk.firstRow)
            features += chunk.features
            labels += chunk.labels ?? []
            _ = chunk.tabular(featureNames: reader.featureNames, source: "big.csv")
        }
        XCTAssertNil(try reader.next())
        XCTAssertEqual(firstRows, stride(from: 0, to: rows, by: 7000).map { $0 })
        XCTAssertEqual(features, whole.features)
        XCTAssertEqual(labels, whole.labels)
    }

    func testChunkReaderErrorsNameRows() throws {
        let dir = try TempDir()
        var text = "a,b\n"
        for i in 0..<2500 { text += "\(i),\(i)\n" }
        text += "1,oops\n"
        let url = try dir.write("e.csv", text)
        let reader = try CSVChunkReader(url: url, chunkRows: 1000)
        XCTAssertNotNil(try reader.next())
        XCTAssertNotNil(try reader.next())
        assertDataError(.nonNumeric, contains: ["e.csv: row 2501 (line 2502), column 'b'", "\"oops\""]) { try reader.next() }
        assertDataError(.empty) { try CSVChunkReader(url: dir.write("empty.csv", "\n\n")) }
        assertDataError(.missingColumn) { try CSVChunkReader(url: url, labelColumn: "zzz") }
        assertDataError(.io) { try CSVChunkReader(url: dir.url.appendingPathComponent("nope.csv")) }
        let unterminated = try dir.write("u.csv", "a\n\"1\n2\n")
        assertDataError(.syntax, contains: ["line 2"]) { try CSVChunkReader(url: unterminated).next() }
    }
}
