// The formatter's JSON and CSV quoting.
import Foundation
import XCTest
import IMDADData

final class FormattingTests: XCTestCase {
    /// `Format.jsonString` writes what `JSONEncoder` writes (model files and score output were
    /// written with it), for quotes, backslashes, slashes, every control character and non-ASCII text.
    func testJSONStringEqualsJSONEncoder() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        for s in ["", "plain", "a\"b", "back\\slash", "a/b", controls, "ρ² ‖φ − c‖ ✓ 𝄞", "x\u{7F}y"] {
            let expected = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
            XCTAssertEqual(Format.jsonString(s), expected, s.debugDescription)
        }
    }

    func testCSVFieldQuotesOnlyWhatNeedsIt() {
        XCTAssertEqual(Format.csvField("T1000"), "T1000")
        XCTAssertEqual(Format.csvField("a,b"), "\"a,b\"")
        XCTAssertEqual(Format.csvField("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(Format.csvField("two\nlines"), "\"two\nlines\"")
    }
}
