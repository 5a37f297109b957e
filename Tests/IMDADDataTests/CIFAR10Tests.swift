import Foundation
import XCTest
@testable import IMDADData
import IMDADTestSupport

final class CIFAR10Tests: XCTestCase {
    /// Records of label `labels[i]` whose pixel `k` is `(i + k) mod 256`.
    static func batch(labels: [UInt8]) -> [UInt8] {
        var b: [UInt8] = []
        for (i, l) in labels.enumerated() {
            b.append(l)
            b += (0..<CIFAR10.imageBytes).map { UInt8(truncatingIfNeeded: i + $0) }
        }
        return b
    }

    func testRecordsSplitIntoLabelsAndPlanes() throws {
        let (pixels, labels) = try CIFAR10.parse(Self.batch(labels: [3, 9, 0]), file: "data_batch_1.bin")
        XCTAssertEqual(labels, [3, 9, 0])
        XCTAssertEqual(pixels.count, 3 * 3072)
        // The label byte is not part of the image: image 1 starts with its pixel 0 = 1.
        XCTAssertEqual(pixels[3072], 1)
        XCTAssertEqual(pixels[2 * 3072 + 1024], UInt8((2 + 1024) % 256))   // green plane of image 2
    }

    func testBadBatchesNameTheRecord() {
        let good = Self.batch(labels: [1, 2])
        XCTAssertThrowsError(try CIFAR10.parse(Array(good.dropLast(5)), file: "b.bin")) { e in
            let d = e as? DataError
            XCTAssertEqual(d?.kind, .truncated)
            XCTAssertTrue("\(e)".contains("b.bin: record 2 (byte 3073)"), "\(e)")
        }
        var bad = good
        bad[3073] = 10
        XCTAssertThrowsError(try CIFAR10.parse(bad, file: "b.bin")) { e in
            XCTAssertEqual((e as? DataError)?.kind, .badLabel)
            XCTAssertTrue("\(e)".contains("record 2") && "\(e)".contains("found 10"), "\(e)")
        }
        XCTAssertThrowsError(try CIFAR10.parse([], file: "b.bin")) { XCTAssertEqual(($0 as? DataError)?.kind, .empty) }
        XCTAssertThrowsError(try CIFAR10.read(contentsOf: URL(fileURLWithPath: "/nonexistent/test_batch.bin"))) {
            XCTAssertEqual(($0 as? DataError)?.kind, .io)
        }
    }

    /// A gzip'd batch (as `../shared/datasets/cifar10` holds them) reads to exactly the records of
    /// the plain one; gzip is recognised by its magic bytes, not by the name.
    func testGzipBatchReadsEqualToPlain() throws {
        let dir = try TempDir()
        let plain = Self.batch(labels: [7, 0, 9, 3, 3, 1])
        let gz = Inflate.gzip(plain)
        XCTAssertEqual(Array(gz.prefix(2)), [0x1F, 0x8B])
        XCTAssertLessThan(gz.count, plain.count)
        let a = try CIFAR10.read(contentsOf: dir.write("data_batch_1.bin", plain))
        let b = try CIFAR10.read(contentsOf: dir.write("data_batch_1.bin.gz", gz))
        XCTAssertEqual(b.labels, [7, 0, 9, 3, 3, 1])
        XCTAssertEqual(b.labels, a.labels)
        XCTAssertEqual(b.pixels, a.pixels)
        XCTAssertEqual(b.pixels.count, 6 * CIFAR10.imageBytes)
        // A plain batch under a .gz name, and a gzip'd one under a plain name, read the same.
        XCTAssertEqual(try CIFAR10.read(contentsOf: dir.write("p.bin.gz", plain)).pixels, a.pixels)
        XCTAssertEqual(try CIFAR10.read(contentsOf: dir.write("g.bin", gz)).pixels, a.pixels)
    }

    /// A gzip'd batch cut short, or with a damaged byte, throws a DataError naming the batch and
    /// how to fix it, never a short batch.
    func testDamagedGzipBatchNamesTheBatch() throws {
        let dir = try TempDir()
        let gz = Inflate.gzip(Self.batch(labels: Array(repeating: 4, count: 40)))
        for cut in [gz.count - 3, gz.count / 2, 12] {
            let url = try dir.write("data_batch_3.bin.gz", Array(gz.prefix(cut)))
            let e = assertDataError(.truncated, contains: ["data_batch_3.bin.gz", "gzip stream", "expected more compressed data"]) {
                try CIFAR10.read(contentsOf: url)
            }
            XCTAssertEqual(e?.file, "data_batch_3.bin.gz", "cut at \(cut)")
            XCTAssertTrue(e?.hint?.contains("damaged or cut short") == true, "\(String(describing: e))")
        }
        // A flipped byte in the trailer's CRC-32: the stream inflates, the check fails.
        var bad = gz
        bad[gz.count - 6] ^= 0xFF
        let url = try dir.write("test_batch.bin.gz", bad)
        assertDataError(.decompression, contains: ["test_batch.bin.gz", "gzip stream", "copy it again"]) {
            try CIFAR10.read(contentsOf: url)
        }
        // The gzip is whole but its content is not a whole number of records.
        let short = try dir.write("data_batch_5.bin.gz", Inflate.gzip(Array(Self.batch(labels: [1, 2]).dropLast(7))))
        assertDataError(.truncated, contains: ["data_batch_5.bin.gz: record 2"]) { try CIFAR10.read(contentsOf: short) }
    }
}
