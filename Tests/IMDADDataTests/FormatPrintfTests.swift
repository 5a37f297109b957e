// Format's printf conversions spell numbers exactly as String(format:) does.

import Foundation
import XCTest

@testable import IMDADData

final class FormatPrintfTests: XCTestCase {
    func testTheSameTextAsStringFormat() {
        let values: [Double] = [
            0, -0.0, 0.05, 0.15, 0.25, 2.5, -2.5, 99.95, 100, 1e-7, 123456.789, -3.14159, 1e20, 1e300, -1e300,
            .infinity, -.infinity, .nan, Double(Float(0.1)), .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        ]
        for v in values {
            for d in 0...4 {
                XCTAssertEqual(Format.fixed(v, digits: d), String(format: "%.\(d)f", v), "\(v) %.\(d)f")
                XCTAssertEqual(Format.exponent(v, digits: d), String(format: "%.\(d)e", v), "\(v) %.\(d)e")
            }
            XCTAssertEqual(Format.general(v), String(format: "%g", v), "\(v) %g")
        }
    }
}
