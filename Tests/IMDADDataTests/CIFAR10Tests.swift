import Foundation
import XCTest
@testable import IMDADData

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
}
