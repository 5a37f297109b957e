import Foundation
import XCTest
@testable import IMDADData
import IMDADTestSupport

final class NPYTests: XCTestCase {
    let base: [Double] = [1.5, -2.0, 3.25, 4.0, 0.0, -6.5]

    func testFloatDTypesFromNumPy() throws {
        for (name, b64, dtype) in [("f8", PythonFixtures.f8, NPYDType.float64), ("f4", PythonFixtures.f4, .float32),
                                   ("f2", PythonFixtures.f2, .float16)] {
            let a = try NPYArray.parse(PythonFixtures.bytes(b64), file: name)
            XCTAssertEqual(a.shape, [2, 3], name)
            XCTAssertEqual(a.values, base, name)
            XCTAssertEqual(a.dtype, dtype, name)
        }
    }

    func testBigEndianFloats() throws {
        let a = try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.f8be))
        XCTAssertEqual(a.values, base)
        XCTAssertTrue(a.dtype.bigEndian)
        XCTAssertEqual(a.dtype.description, ">f8")
        XCTAssertEqual(try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.f4be)).values, base)
    }

    func testIntegerDTypesBothEndians() throws {
        let signed: [Double] = [1, -2, 3, -4, 5, -6]
        let unsigned: [Double] = [1, 2, 3, 250, 0, 7]
        let cases: [(String, String, [Double])] = [
            ("i1", PythonFixtures.i1, signed), ("i1be", PythonFixtures.i1be, signed),
            ("i2", PythonFixtures.i2, signed), ("i2be", PythonFixtures.i2be, signed),
            ("i4", PythonFixtures.i4, signed), ("i4be", PythonFixtures.i4be, signed),
            ("i8", PythonFixtures.i8, signed), ("i8be", PythonFixtures.i8be, signed),
            ("u1", PythonFixtures.u1, unsigned), ("u1be", PythonFixtures.u1be, unsigned),
            ("u2", PythonFixtures.u2, unsigned), ("u2be", PythonFixtures.u2be, unsigned),
            ("u4", PythonFixtures.u4, unsigned), ("u4be", PythonFixtures.u4be, unsigned),
            ("u8", PythonFixtures.u8, unsigned), ("u8be", PythonFixtures.u8be, unsigned),
        ]
        for (name, b64, expected) in cases {
            let a = try NPYArray.parse(PythonFixtures.bytes(b64), file: name)
            XCTAssertEqual(a.shape, [2, 3], name)
            XCTAssertEqual(a.values, expected, name)
        }
    }

    func testBool() throws {
        let a = try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.b1))
        XCTAssertEqual(a.values, [1, 0, 1, 0, 0, 1])
        XCTAssertEqual(a.dtype, .bool)
    }

    func testFortranOrder() throws {
        let a = try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.fortran2d))
        XCTAssertEqual(a.shape, [2, 3])
        XCTAssertEqual(a.values, base)
        let b = try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.fortran3d))
        XCTAssertEqual(b.shape, [2, 3, 4])
        XCTAssertEqual(b.values, (0..<24).map(Double.init))
    }

    func testScalarAndEmpty() throws {
        let s = try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.scalar))
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(s.values, [7.25])
        let e = try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.empty))
        XCTAssertEqual(e.shape, [0, 3])
        XCTAssertEqual(e.values, [])
    }

    func testObjectAndUnsupported() {
        let e = assertDataError(.objectArray, contains: ["allow_pickle"]) {
            try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.object), file: "obj.npy")
        }
        XCTAssertNotNil(e?.hint)
        assertDataError(.unsupportedDType, contains: ["structured"]) {
            try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.structured))
        }
        assertDataError(.unsupportedDType, contains: ["<c16"]) {
            try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.complex))
        }
        assertDataError(.unsupportedDType, contains: ["<U2"]) {
            try NPYArray.parse(PythonFixtures.bytes(PythonFixtures.unicode))
        }
        // A bare pickle stream.
        assertDataError(.objectArray) { try NPYArray.parse([0x80, 0x04, 0x95, 0, 0]) }
    }

    func testEncodeMatchesNumPyByteForByte() {
        XCTAssertEqual(NPYArray(shape: [2, 3], values: base).encode(), PythonFixtures.bytes(PythonFixtures.f8))
        XCTAssertEqual(NPYArray(shape: [2, 3], values: base).encode(as: .float32), PythonFixtures.bytes(PythonFixtures.f4))
        XCTAssertEqual(NPYArray(shape: [], values: [7.25]).encode(), PythonFixtures.bytes(PythonFixtures.scalar))
        XCTAssertEqual(NPYArray(shape: [0, 3], values: []).encode(), PythonFixtures.bytes(PythonFixtures.empty))
    }

    func testRoundTrips() throws {
        let shapes: [[Int]] = [[], [0], [5], [2, 3], [2, 0, 3], [3, 1, 2, 2]]
        var rng = SplitMix(state: 1)
        for shape in shapes {
            let n = shape.reduce(1, *)
            let values = (0..<n).map { _ in Double(Float.random(in: -1e6...1e6, using: &rng)) }
            let a = NPYArray(shape: shape, values: values)
            for enc in [NPYArray.Encoding.float64, .float32] {
                let bytes = a.encode(as: enc)
                XCTAssertEqual(bytes.count % 64, (n * (enc == .float64 ? 8 : 4)) % 64, "header padded to 64")
                let b = try NPYArray.parse(bytes)
                XCTAssertEqual(b.shape, shape)
                XCTAssertEqual(b.values, values)
            }
        }
    }

    func testVersions2And3() throws {
        // Rebuild the v1 file with a 4-byte header length.
        let v1 = PythonFixtures.bytes(PythonFixtures.f8)
        let hlen = Int(v1[8]) | Int(v1[9]) << 8
        for version: UInt8 in [2, 3] {
            var v = Array(v1[0..<6]) + [version, 0]
            v += [UInt8(hlen & 0xFF), UInt8(hlen >> 8), 0, 0]
            v += v1[10...]
            XCTAssertEqual(try NPYArray.parse(v).values, base)
        }
        var bad = v1
        bad[6] = 4
        assertDataError(.malformedHeader, contains: ["byte 6", "version 4.0"]) { try NPYArray.parse(bad) }
    }

    /// Builds an .npy with a hand-written header dictionary.
    func npy(_ header: String, payload: [UInt8] = []) -> [UInt8] {
        let h = Array((header + "\n").utf8)
        return NPYArray.magic + [1, 0, UInt8(h.count & 0xFF), UInt8(h.count >> 8)] + h + payload
    }

    func testTolerantHeaderSyntax() throws {
        let payload: [UInt8] = [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        for header in ["{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                       "{\"descr\":\"<i4\",\"fortran_order\":False,\"shape\":(2,)}",
                       "{ 'shape' : ( 2L , ) , 'fortran_order' : False , 'descr' : '<i4' }   ",
                       "{'descr': '<i4', 'fortran_order': True, 'shape': [2]}".replacingOccurrences(of: "[2]", with: "(2,)")] {
            XCTAssertEqual(try NPYArray.parse(npy(header, payload: payload)).values, [1, -1], header)
        }
    }

    func testMalformedHeaders() {
        let cases: [(String, DataError.Kind, String)] = [
            ("{'descr': '<f8', 'shape': (1,)}", .malformedHeader, "'fortran_order'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", .malformedHeader, "non-negative"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': ('a',)}", .malformedHeader, "shape"),
            ("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", .malformedHeader, "True or False"),
            ("{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}", .malformedHeader, "byte"),
            ("{'descr': '<f8' 'fortran_order': False}", .malformedHeader, "expected ',' or '}'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk", .malformedHeader, "end of header"),
            ("[1, 2]", .malformedHeader, "dictionary"),
            ("((((((((((((((((((((", .malformedHeader, "nesting"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", .malformedHeader, "64 bits"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", .tooLarge, "shape"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,)}", .truncated, "8000000000 data bytes"),
            ("{'descr': '<f3', 'fortran_order': False, 'shape': (1,)}", .unsupportedDType, "<f3"),
            ("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", .objectArray, "allow_pickle"),
            ("{'descr': '', 'fortran_order': False, 'shape': (1,)}", .unsupportedDType, "descr"),
            ("{'descr': 5, 'fortran_order': False, 'shape': (1,)}", .malformedHeader, "dtype string"),
        ]
        for (header, kind, text) in cases {
            assertDataError(kind, contains: ["h.npy", text]) { try NPYArray.parse(npy(header), file: "h.npy") }
        }
    }

    func testBadMagicAndTrailing() {
        assertDataError(.badMagic, contains: ["byte 0", "\\x93NUMPY"]) { try NPYArray.parse(Array("PK\u{3}\u{4}abcdefgh".utf8)) }
        var v = PythonFixtures.bytes(PythonFixtures.f8)
        v.append(0)
        assertDataError(.trailingBytes, contains: ["1 extra bytes"]) { try NPYArray.parse(v, file: "t.npy") }
    }

    func testEveryPrefixIsTruncated() {
        for fixture in [PythonFixtures.f8, PythonFixtures.i2be, PythonFixtures.fortran3d, PythonFixtures.scalar] {
            let full = PythonFixtures.bytes(fixture)
            for n in 0..<full.count {
                assertDataError(.truncated) { try NPYArray.parse(Array(full[0..<n])) }
            }
        }
    }

    func testDescriptionFormat() {
        let e = DataError(.nonNumeric, file: "data.csv", position: "row 5, column 'age'", expected: "a number",
                          found: "\"abc\"")
        XCTAssertEqual(e.description, "data.csv: row 5, column 'age': expected a number, found \"abc\"")
        let h = DataError(.objectArray, file: nil, position: "", expected: "x", hint: "y")
        XCTAssertEqual(h.description, "expected x. HINT: y")
    }

    func testHalfPrecisionSpecials() {
        XCTAssertEqual(halfToFloat(0x3C00), 1)
        XCTAssertEqual(halfToFloat(0xC000), -2)
        XCTAssertEqual(halfToFloat(0x0001), Float(bitPattern: 0x3380_0000))
        XCTAssertEqual(halfToFloat(0x7BFF), 65504)
        XCTAssertTrue(halfToFloat(0x7C00).isInfinite)
        XCTAssertTrue(halfToFloat(0x7E00).isNaN)
    }
}
