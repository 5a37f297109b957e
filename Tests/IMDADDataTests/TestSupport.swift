import Foundation
import XCTest
@testable import IMDADData

/// Asserts that `body` throws a `DataError` of `kind` whose description contains every
/// string in `contains`; returns the error for further checks.
@discardableResult
func assertDataError<T>(_ kind: DataError.Kind, contains: [String] = [],
                        file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws -> T) -> DataError? {
    do {
        _ = try body()
        XCTFail("expected DataError.\(kind), got success", file: file, line: line)
    } catch let e as DataError {
        XCTAssertEqual(e.kind, kind, "wrong kind; error: \(e)", file: file, line: line)
        for s in contains {
            XCTAssertTrue(e.description.contains(s), "\"\(e)\" does not contain \"\(s)\"", file: file, line: line)
        }
        return e
    } catch {
        XCTFail("expected DataError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Asserts that `body` throws some `DataError` (any kind), never another error type.
func assertThrowsDataError<T>(file: StaticString = #filePath, line: UInt = #line, _ what: String,
                              _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected a DataError for \(what)", file: file, line: line)
    } catch is DataError {
    } catch {
        XCTFail("expected DataError for \(what), got \(error)", file: file, line: line)
    }
}

/// Deterministic PRNG (SplitMix64) for mutation tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Simple byte-level mutations of a valid input.
func mutate(_ input: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
    var b = input
    let ops = Int.random(in: 1...4, using: &rng)
    for _ in 0..<ops {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0 where !b.isEmpty: b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        case 1 where !b.isEmpty: b[Int.random(in: 0..<b.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        case 2 where !b.isEmpty: b.removeSubrange(Int.random(in: 0..<b.count, using: &rng)...)
        case 3: b.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...b.count, using: &rng))
        default:
            // write an "interesting" 32-bit value
            if b.count >= 4 {
                let at = Int.random(in: 0...(b.count - 4), using: &rng)
                let v: [UInt8] = [[0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 0x80], [0xFF, 0xFF, 0xFF, 0x7F], [0, 0, 0, 0]][
                    Int.random(in: 0..<4, using: &rng)]
                b.replaceSubrange(at..<(at + 4), with: v)
            }
        }
    }
    return b
}
