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

    /// `Format.fixed` rounds without printf for up to six decimals (`roundedFixed`); it must spell
    /// every value as printf does: random values at every scale, exact ties (k/2ᵐ, k + ½ after
    /// scaling) and their neighbours one ulp away, negatives and −0, on each number of decimals.
    func testRoundingWithoutPrintfSpellsAsPrintf() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func random() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1.5, 2.5, 0.25, 0.125, 0.05, 0.15, 0.35, 99.95, 99.85, 1e15, 4.5e15, -4.5e14]
        for k in 0..<4_000 {  // ties after scaling by 10ᵈ, and one ulp either side
            let tie = (Double(k) + 0.5) / 64
            values += [tie, tie.nextUp, tie.nextDown, -tie]
            let decimal = Double(k) / 20 + 0.05  // x.x5 in decimal, not exact in binary
            values += [decimal, decimal.nextUp, decimal.nextDown, -decimal]
        }
        for _ in 0..<200_000 {
            let bits = random()
            let magnitude = Double(bits % 40) - 20  // 1e-20 … 1e19
            let mantissa = Double(bits >> 11) / Double(1 << 53)
            let v = (mantissa + 0.1) * pow(10, magnitude) * (bits & 1 == 0 ? 1 : -1)
            values.append(v)
            values.append(Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits >> 7))))  // any Float, widened
        }
        var checked = 0
        for v in values where v.isFinite {
            for d in 0...6 {
                guard let fast = Format.roundedFixed(v, digits: d) else { continue }
                let slow = Format.printf("%.\(d)f", v)
                if fast != slow { XCTFail("\(v.bitPattern) (\(v)) %.\(d)f: \(fast) against printf's \(slow)"); return }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 1_000_000)
        XCTAssertNil(Format.roundedFixed(.nan, digits: 1))
        XCTAssertNil(Format.roundedFixed(1e20, digits: 1))
        XCTAssertNil(Format.roundedFixed(1, digits: 7))
    }
}
