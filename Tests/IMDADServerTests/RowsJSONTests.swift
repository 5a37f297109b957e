// The service's JSON reader: JSON's grammar for numbers and strings, the one shape it takes,
// and errors at a byte offset.

import XCTest

@testable import IMDADServer

final class RowsJSONTests: XCTestCase {
    func parse(_ s: String) throws -> [JSONRow] { try RowsJSONParser.parse(Array(s.utf8)) }

    func testValuesKeysAndEscapes() throws {
        let rows = try parse(#" {"rows": [ {"a": -1.5e-3, "b\"\u00e9": "x\\\"y\n\ud83d\ude00", "c": null, "d": true} , {} ] } "#)
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0].keys, ["a", "b\"é", "c", "d"])
        guard case .number(let digits) = rows[0].cells[0] else { return XCTFail("not a number") }
        XCTAssertEqual(String(decoding: digits, as: UTF8.self), "-1.5e-3")
        guard case .text(let t) = rows[0].cells[1] else { return XCTFail("not text") }
        XCTAssertEqual(t, "x\\\"y\n😀")
        XCTAssertEqual(try parse("[{\"a\": 0}]").count, 1)
        XCTAssertEqual(try parse("[]").count, 0)
    }

    func testMalformedBodiesNameTheByte() {
        let bad = [
            "", "{", "[{\"a\": 01}]", "[{\"a\": 1.}]", "[{\"a\": -}]", "[{\"a\": +1}]", "[{\"a\": .5}]", "[{\"a\": NaN}]",
            "[{\"a\": Infinity}]", "[{\"a\": [1]}]", "[{\"a\": {\"b\": 1}}]", "[{\"a\": 1, \"a\": 2}]", "[{\"a\": 1}] x",
            "{\"rows\": [], \"more\": 1}", "{\"other\": []}", "[1, 2]", "[{\"a\": \"\\q\"}]", "[{\"a\": \"\\u12\"}]",
            "[{\"a\": \"line\nbreak\"}]", "[{\"a\": 1,}]", "[{\"a\" 1}]", "[{a: 1}]", "[{\"a\": tru}]", "\"rows\"",
        ]
        for b in bad {
            XCTAssertThrowsError(try parse(b), b) { e in
                XCTAssertTrue("\(e)".hasPrefix("at byte "), "\(b): \(e)")
            }
        }
    }
}
