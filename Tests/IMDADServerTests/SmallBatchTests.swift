// The service scores small requests in a smaller padded batch only where that gives the same scores
// to the bit: the check picks the smallest size that agrees, and none when no size does.

import IMDADDetectors
import IMDADEngine
import XCTest

@testable import IMDADServer

final class SmallBatchTests: XCTestCase {
    /// Row sums, off by one ulp in padded batches smaller than `exactFrom` rows.
    struct BatchSensitive: AnomalyDetector {
        var exactFrom: Int
        var methodName: String { "test" }
        var featureCount: Int { 3 }
        var threshold: Float { 0 }
        func scores(_ x: Tensor) -> [Float] { scores(x, inferenceBatch: Network.inferenceBatchSize) }
        func scores(_ x: Tensor, inferenceBatch: Int) -> [Float] {
            (0..<x.shape[0]).map { i in
                let s = x.scalars[(i * 3)..<(i * 3 + 3)].reduce(0, +)
                return inferenceBatch < exactFrom ? s.nextUp : s
            }
        }
    }

    func testTheSmallestBatchThatAgreesIsChosen() {
        XCTAssertEqual(ScoringService.smallestEquivalentBatch(BatchSensitive(exactFrom: 0), columns: 3), 16)
        XCTAssertEqual(ScoringService.smallestEquivalentBatch(BatchSensitive(exactFrom: 64), columns: 3), 64)
        XCTAssertEqual(ScoringService.smallestEquivalentBatch(BatchSensitive(exactFrom: 128), columns: 3), 128)
        XCTAssertNil(ScoringService.smallestEquivalentBatch(BatchSensitive(exactFrom: 256), columns: 3))
    }
}
