import Foundation
import XCTest
@testable import IMDADData
import IMDADTestSupport

final class IDXTests: XCTestCase {
    func testGzipFromPython() throws {
        let imgs = try IDXArray.parse(PythonFixtures.bytes(PythonFixtures.idx3_gz), file: "i.gz")
        XCTAssertEqual(imgs.shape, [3, 2, 3])
        XCTAssertEqual(imgs.dataType, .uint8)
        XCTAssertEqual(imgs.uint8Values, (0..<18).map(UInt8.init))
        let labels = try IDXArray.parse(PythonFixtures.bytes(PythonFixtures.idx1_gz))
        XCTAssertEqual(labels.shape, [5])
        XCTAssertEqual(labels.doubleValues(), [3, 1, 4, 1, 5])
        let f = try IDXArray.parse(PythonFixtures.bytes(PythonFixtures.idx_f32_gz))
        XCTAssertEqual(f.dataType, .float32)
        XCTAssertNil(f.uint8Values)
        XCTAssertEqual(f.doubleValues(), [1.5, -2.25])
    }

    func testHandMadeDTypes() throws {
        func idx(_ code: UInt8, _ dims: [UInt32], _ payload: [UInt8]) -> [UInt8] {
            var b: [UInt8] = [0, 0, code, UInt8(dims.count)]
            for d in dims { withUnsafeBytes(of: d.bigEndian) { b += $0 } }
            return b + payload
        }
        XCTAssertEqual(try IDXArray.parse(idx(0x09, [2], [0xFF, 0x05])).doubleValues(), [-1, 5])
        XCTAssertEqual(try IDXArray.parse(idx(0x0B, [2], [0xFF, 0xFE, 0x01, 0x00])).doubleValues(), [-2, 256])
        XCTAssertEqual(try IDXArray.parse(idx(0x0C, [1, 1], [0x80, 0, 0, 0])).doubleValues(), [-2147483648])
        let d = withUnsafeBytes(of: (-0.125).bitPattern.bigEndian) { Array($0) }
        let a = try IDXArray.parse(idx(0x0E, [1], d))
        XCTAssertEqual(a.doubleValues(), [-0.125])
        XCTAssertEqual(a.encode(), idx(0x0E, [1], d))
        XCTAssertEqual(try IDXArray.parse(idx(0x08, [0, 5], [])).count, 0)
        // round trip through gzip
        let plain = idx(0x0B, [2, 2], [0, 1, 0, 2, 0, 3, 0xFF, 0xFF])
        XCTAssertEqual(try IDXArray.parse(Inflate.gzip(plain)).doubleValues(), [1, 2, 3, -1])
        // concatenated gzip members
        let two = Inflate.gzip(Array(plain[0..<7])) + Inflate.gzip(Array(plain[7...]))
        XCTAssertEqual(try IDXArray.parse(two).doubleValues(), [1, 2, 3, -1])
    }

    func testHeaderErrors() {
        assertDataError(.badMagic, contains: ["x.idx", "byte 0"]) { try IDXArray.parse([1, 0, 8, 1, 0, 0, 0, 0], file: "x.idx") }
        assertDataError(.unsupportedDType, contains: ["byte 2", "0a"]) { try IDXArray.parse([0, 0, 0x0A, 1, 0, 0, 0, 0]) }
        assertDataError(.malformedHeader, contains: ["byte 3"]) { try IDXArray.parse([0, 0, 8, 0]) }
        assertDataError(.truncated, contains: ["3 4-byte dimension sizes"]) { try IDXArray.parse([0, 0, 8, 3, 0, 0, 0, 1]) }
        assertDataError(.truncated, contains: ["10 data bytes", "9 bytes"]) {
            try IDXArray.parse([0, 0, 8, 1, 0, 0, 0, 10] + Array(repeating: 0, count: 9))
        }
        assertDataError(.trailingBytes, contains: ["byte 18", "1 extra"]) {
            try IDXArray.parse([0, 0, 8, 1, 0, 0, 0, 10] + Array(repeating: 0, count: 11))
        }
        // 2^32 * 2^32 elements overflows; 2^31 f64 elements exceeds the 4 GiB cap.
        assertDataError(.tooLarge) {
            try IDXArray.parse([0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        }
        assertDataError(.tooLarge, contains: ["4294967296"]) { try IDXArray.parse([0, 0, 0x0E, 1, 0x80, 0, 0, 0]) }
        // gzip: header claims 1 GiB from a few bytes: refused before allocating.
        assertDataError(.truncated, contains: ["cannot hold"]) { try IDXArray.parse(Inflate.gzip([0, 0, 8, 1, 0x40, 0, 0, 0])) }
        assertDataError(.trailingBytes) { try IDXArray.parse(Inflate.gzip([0, 0, 8, 1, 0, 0, 0, 1, 7, 8])) }
        assertDataError(.decompression) { try IDXArray.parse([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF]) }
    }

    func testEveryPrefixThrows() {
        let plain: [UInt8] = [0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0, 2]
        XCTAssertEqual(try IDXArray.parse(plain).shape, [2, 1])  // the whole input parses
        for full in [plain, PythonFixtures.bytes(PythonFixtures.idx3_gz), Inflate.gzip(plain)] {
            for n in 0..<full.count {
                assertThrowsDataError("prefix \(n)") { try IDXArray.parse(Array(full[0..<n])) }
            }
        }
    }
}
