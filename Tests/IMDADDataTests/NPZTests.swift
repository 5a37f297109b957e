import Foundation
import XCTest
@testable import IMDADData
import IMDADTestSupport

final class NPZTests: XCTestCase {
    let X: [Double] = [0.5, 1.0, -1.0, 2.0, 3.0, 4.0, 5.5, -6.0, 7.0, 8.0, 9.0, 10.0]

    func testNumPyDeflatedAndStored() throws {
        for b64 in [PythonFixtures.npz_deflate, PythonFixtures.npz_stored] {
            let archive = try NPZArchive(bytes: PythonFixtures.bytes(b64), file: "a.npz")
            XCTAssertEqual(archive.names, ["X", "y"])
            let x = try archive.array(named: "X")
            XCTAssertEqual(x.shape, [4, 3])
            XCTAssertEqual(x.values, X)
            let y = try archive.array(named: "y")
            XCTAssertEqual(y.values, [0, 1, 0, 0])
            XCTAssertEqual(y.dtype, .int64)
            XCTAssertEqual(try archive.readAll().count, 2)
        }
        XCTAssertEqual(try NPZArchive(bytes: PythonFixtures.bytes(PythonFixtures.npz_deflate)).zip.entries.map(\.method), [8, 8])
    }

    func testWriterRoundTripsIncludingZip64() throws {
        let arrays = [(name: "X", array: NPYArray(shape: [4, 3], values: X)),
                      (name: "y", array: NPYArray(shape: [4], values: [0, 1, 0, 0]))]
        for compressed in [false, true] {
            let bytes = NPZArchive.encode(arrays, compressed: compressed)
            let all = try NPZArchive(bytes: bytes).readAll()
            XCTAssertEqual(all["X"]?.values, X)
            XCTAssertEqual(all["y"]?.shape, [4])
        }
        let files = arrays.map { (name: $0.name + ".npy", bytes: $0.array.encode()) }
        for deflate in [false, true] {
            let zip = try ZipArchive(bytes: ZipArchive.build(files, deflate: deflate, zip64: true))
            XCTAssertEqual(zip.entries.map(\.name), ["X.npy", "y.npy"])
            XCTAssertEqual(zip.entries[0].uncompressedSize, files[0].bytes.count)
            XCTAssertGreaterThan(zip.entries[1].localHeaderOffset, 0)
            XCTAssertEqual(try zip.extract(zip.entries[1]), files[1].bytes)
        }
    }

    func testEveryPrefixThrows() {
        let arrays = [(name: "X", array: NPYArray(shape: [2, 2], values: [1, 2, 3, 4]))]
        let fixtures = [PythonFixtures.bytes(PythonFixtures.npz_deflate), NPZArchive.encode(arrays),
                        ZipArchive.build([(name: "X.npy", bytes: arrays[0].array.encode())], zip64: true)]
        for full in fixtures {
            for n in 0..<full.count {
                assertThrowsDataError("prefix \(n)") {
                    let a = try NPZArchive(bytes: Array(full[0..<n]))
                    return try a.readAll()
                }
            }
        }
    }

    func testCorruptionIsDetected() throws {
        let npy = NPYArray(shape: [2, 2], values: [1, 2, 3, 4]).encode()
        var stored = ZipArchive.build([(name: "X.npy", bytes: npy)])
        stored[30 + 5 + npy.count - 1] ^= 0x40 // last payload byte
        assertDataError(.checksum, contains: ["entry 'X.npy'", "CRC-32"]) { try NPZArchive(bytes: stored).array(named: "X") }

        var deflated = ZipArchive.build([(name: "X.npy", bytes: npy)], deflate: true)
        deflated[40] ^= 0xFF
        assertThrowsDataError("corrupt deflate") { try NPZArchive(bytes: deflated).array(named: "X") }
    }

    func testUnsupportedMethodAndAbsurdSize() throws {
        let npy = NPYArray(shape: [1], values: [1]).encode()
        var bytes = ZipArchive.build([(name: "X.npy", bytes: npy)], deflate: true)
        let zip = try ZipArchive(bytes: bytes)
        let cd = bytes.count - 22 - (46 + 5)
        XCTAssertEqual(Array(bytes[cd..<(cd + 4)]), [0x50, 0x4B, 1, 2])
        // Claim 2 GiB uncompressed in the central directory.
        bytes.replaceSubrange((cd + 24)..<(cd + 28), with: [0, 0, 0, 0x80])
        assertDataError(.tooLarge, contains: ["entry 'X.npy'"]) { try NPZArchive(bytes: bytes).array(named: "X") }
        // Method 12 (bzip2).
        bytes.replaceSubrange((cd + 24)..<(cd + 28), with: withUnsafeBytes(of: UInt32(npy.count).littleEndian) { Array($0) })
        bytes[cd + 10] = 12
        assertDataError(.decompression, contains: ["method 12"]) { try NPZArchive(bytes: bytes).array(named: "X") }
        XCTAssertEqual(zip.entries.count, 1)
    }

    func testMissingArrayAndBadMagicAndNestedErrors() throws {
        let a = try NPZArchive(bytes: PythonFixtures.bytes(PythonFixtures.npz_stored), file: "d.npz")
        assertDataError(.missingColumn, contains: ["d.npz", "'Z'", "'X', 'y'"]) { try a.array(named: "Z") }
        assertDataError(.badMagic, contains: ["ZIP"]) { try NPZArchive(bytes: Array(repeating: 0x41, count: 100)) }
        // An object array inside an archive names the array.
        let obj = ZipArchive.build([(name: "X.npy", bytes: PythonFixtures.bytes(PythonFixtures.object))])
        let e = assertDataError(.objectArray, contains: ["o.npz", "array 'X'"]) {
            try NPZArchive(bytes: obj, file: "o.npz").array(named: "X")
        }
        XCTAssertEqual(e?.file, "o.npz")
        let dup = ZipArchive.build([(name: "X.npy", bytes: []), (name: "X.npy", bytes: [])])
        assertDataError(.malformedHeader, contains: ["duplicate"]) { try NPZArchive(bytes: dup) }
    }

    func testHugeEntryCountIsRefusedBeforeAllocating() {
        var bytes = ZipArchive.build([(name: "X.npy", bytes: [1, 2, 3])])
        let eocd = bytes.count - 22
        bytes[eocd + 10] = 0xFE; bytes[eocd + 11] = 0xFF
        assertDataError(.malformedHeader, contains: ["entries"]) { try ZipArchive(bytes: bytes) }
    }
}
