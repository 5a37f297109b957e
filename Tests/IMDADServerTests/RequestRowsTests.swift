// Request bodies read against a schema: JSON and CSV give the same table, matched by name; every
// kind of bad body is refused with the status and the words of the problem.

import Foundation
import IMDADData
import XCTest

@testable import IMDADServer

final class RequestRowsTests: XCTestCase {
    let schema = TableSchema(featureNames: ["a", "b", "c"], labelColumn: "label", idColumns: ["id"])
    let options = RowReadOptions(maxRows: 5)

    func read(_ body: String, _ format: RequestRows.BodyFormat = .json, options: RowReadOptions? = nil) throws -> TabularFile {
        try RequestRows.read(Array(body.utf8), format: format, schema: schema, options: options ?? self.options)
    }

    func refusal(
        _ body: String, _ format: RequestRows.BodyFormat = .json, options: RowReadOptions? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) -> ServeError? {
        do {
            _ = try read(body, format, options: options)
            XCTFail("\(body) was accepted", file: file, line: line)
            return nil
        } catch {
            return error as? ServeError
        }
    }

    func testJSONAndCSVGiveTheSameTableInTheSchemasOrder() throws {
        let json = try read(#"{"rows": [{"c": 3, "id": "x1", "a": 1.5, "b": -2e-3}, {"b": 5, "a": 4, "c": 6, "id": "x2"}]}"#)
        let bare = try read(#"[{"c": 3, "id": "x1", "a": 1.5, "b": -2e-3}, {"b": 5, "a": 4, "c": 6, "id": "x2"}]"#)
        let csv = try read("id,c,b,a\nx1,3,-2e-3,1.5\nx2,6,5,4\n", .csv)
        XCTAssertEqual(json.data.features, [1.5, -0.002, 3, 4, 5, 6])
        XCTAssertEqual(json.data.ids, [["x1"], ["x2"]])
        XCTAssertEqual(json.data.idColumns, ["id"])
        XCTAssertEqual(bare.data.features, json.data.features)
        XCTAssertEqual(csv.data.features, json.data.features)
        XCTAssertEqual(csv.data.ids, json.data.ids)
        XCTAssertEqual(json.rowNumbers, [1, 2])
        // Numeric text is a number, as a quoted number in a CSV file is.
        XCTAssertEqual(try read(#"[{"a": "1", "b": 2, "c": 3}]"#).data.features, [1, 2, 3])
    }

    /// Rows keyed by exactly the features skip the CSV round trip (`plainRows`): the same values to
    /// the bit as the CSV reader gives, and every other body still goes the general way.
    func testPlainRowsEqualTheCSVReadersValues() throws {
        let plain = TableSchema(featureNames: ["a", "b", "c"]), many = RowReadOptions(maxRows: 10)
        let numbers = ["1.5", "-2e-3", "123456789012345678901234", "4.9e-324", "0.1", "1E+10", "-0", "3.14159265358979323846"]
        var rows: [String] = [], lines: [String] = []
        for i in 0..<numbers.count {
            let (a, b, c) = (numbers[i], numbers[(i + 3) % numbers.count], numbers[(i + 5) % numbers.count])
            rows.append(#"{"a": \#(a), "b": \#(b), "c": \#(c)}"#)
            lines.append("\(a),\(b),\(c)")
        }
        let json = Array(("[" + rows.joined(separator: ", ") + "]").utf8), csv = Array(("a,b,c\n" + lines.joined(separator: "\n")).utf8)
        let parsed = try RowsJSONParser.parse(json)
        let fast = try XCTUnwrap(RequestRows.plainRows(parsed, schema: plain, options: many))
        let general = try RequestRows.read(csv, format: .csv, schema: plain, options: many)
        XCTAssertEqual(fast.data.features.map(\.bitPattern), general.data.features.map(\.bitPattern))
        XCTAssertEqual(fast.data.rows, numbers.count)
        XCTAssertEqual(try RequestRows.read(json, format: .json, schema: plain, options: many).data, fast.data)
        // Keys in another order: the same values in the schema's order.
        let reordered = try RowsJSONParser.parse(Array(#"[{"c": 3, "a": 1, "b": 2}, {"c": 6, "a": 4, "b": 5}]"#.utf8))
        XCTAssertEqual(RequestRows.plainRows(reordered, schema: plain, options: many)?.data.features, [1, 2, 3, 4, 5, 6])
        // Not plain: the general way decides (and accepts or refuses with its words).
        for body in [
            #"[{"a": "1", "b": 2, "c": 3}]"#, #"[{"a": 1e400, "b": 2, "c": 3}]"#, #"[{"a": 1, "b": 2}]"#,
            #"[{"a": 1, "b": 2, "c": 3}, {"b": 2, "a": 1, "c": 3}]"#, #"[{"a": 1, "b": 2, "c": 3, "d": 4}]"#,
            #"[{"a": null, "b": 2, "c": 3}]"#,
        ] {
            XCTAssertNil(RequestRows.plainRows(try RowsJSONParser.parse(Array(body.utf8)), schema: plain, options: many), body)
        }
        XCTAssertNil(
            RequestRows.plainRows(parsed, schema: plain, options: RowReadOptions(idColumns: ["a"], maxRows: 10)), "an id column asked for")
        XCTAssertThrowsError(try RequestRows.read(Array(#"[{"a": 1e400, "b": 2, "c": 3}]"#.utf8), format: .json, schema: plain, options: many)) {
            XCTAssertTrue("\($0)".contains("finite"), "\($0)")
        }
    }

    func testEveryKindOfBadBodyIsRefusedWithItsStatusAndWords() {
        let cases: [(String, RequestRows.BodyFormat, Int, [String])] = [
            ("{\"rows\": [", .json, 400, ["malformedJSON"]),
            ("{\"rows\": [{\"a\": NaN, \"b\": 1, \"c\": 1}]}", .json, 400, ["malformedJSON"]),
            ("{\"rows\": [], \"more\": 1}", .json, 400, ["no other key beside"]),
            ("{\"rows\": []}", .json, 400, ["at least one row"]),
            ("[{\"a\": \"one\", \"b\": 1, \"c\": 1}]", .json, 400, ["row 1", "column 'a'", "a number"]),
            ("[{\"a\": true, \"b\": 1, \"c\": 1}]", .json, 400, ["column 'a'"]),
            ("[{\"a\": null, \"b\": 1, \"c\": 1}]", .json, 400, ["column 'a'", "an empty cell"]),
            ("[{\"a\": 1, \"b\": 1}]", .json, 422, ["missing: ['c']"]),
            ("[{\"a\": 1, \"b\": 1, \"c\": 1, \"d\": 1}]", .json, 422, ["unexpected: ['d']", "?id_column=NAME"]),
            ("[{\"a\": 1, \"b\": 1, \"c\": 1}, {\"a\": 1, \"b\": 1}]", .json, 400, ["row 2", "missing: ['c']"]),
            (
                String(repeating: "[{\"a\": 1, \"b\": 1, \"c\": 1}, ", count: 1)
                    + String(repeating: "{\"a\": 1, \"b\": 1, \"c\": 1}, ", count: 5)
                    + "{\"a\": 1, \"b\": 1, \"c\": 1}]", .json, 413, ["at most 5 rows", "found 7"]
            ),
            ("  \n", .json, 400, ["empty body"]),
            ("a,b,c\n1,nan,3\n", .csv, 400, ["column 'b'", "finite"]),
            ("a,b,c\n1,x,3\n", .csv, 400, ["column 'b'", "a number"]),
            ("a,b,c\n1,2\n", .csv, 400, ["row 1"]),
            ("a,b\n1,2\n", .csv, 422, ["missing: ['c']"]),
            ("a,b,c\n", .csv, 400, ["at least one data row"]),
            ("a,b,c\n" + String(repeating: "1,2,3\n", count: 6), .csv, 413, ["at most 5 rows"]),
        ]
        for (body, format, status, words) in cases {
            guard let e = refusal(body, format) else { continue }
            XCTAssertEqual(e.status, status, "\(body): \(e)")
            for w in words {
                XCTAssertTrue((e.kind + " " + e.message).contains(w), "\(body): \"\(w)\" missing from \(e.kind) \(e.message)")
            }
            XCTAssertTrue(e.message.hasPrefix("request body"), e.message)
            if format == .json { XCTAssertFalse(e.message.contains("(line "), "a JSON error names a CSV line: \(e.message)") }
        }
    }

    func testContentTypes() throws {
        XCTAssertEqual(try RequestRows.BodyFormat(contentType: "application/json; charset=utf-8"), .json)
        XCTAssertEqual(try RequestRows.BodyFormat(contentType: "application/vnd.rows+json"), .json)
        XCTAssertEqual(try RequestRows.BodyFormat(contentType: "Text/CSV"), .csv)
        for bad in [nil, "", "application/xml", "multipart/form-data; boundary=x"] {
            XCTAssertThrowsError(try RequestRows.BodyFormat(contentType: bad)) { e in
                XCTAssertEqual((e as? ServeError)?.status, 415)
            }
        }
    }

    func testTheErrorBodyIsJSONWithTheFields() throws {
        let e = ServeError(DataError(.nonNumeric, file: "request body", position: "row 2, column 'a'", expected: "a number", found: "'x'"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(e.json)) as? [String: [String: Any]])
        XCTAssertEqual(object["error"]?["status"] as? Int, 400)
        XCTAssertEqual(object["error"]?["kind"] as? String, "nonNumeric")
        XCTAssertEqual(object["error"]?["position"] as? String, "row 2, column 'a'")
        XCTAssertEqual(object["error"]?["message"] as? String, "request body: row 2, column 'a': expected a number, found 'x'")
    }
}
