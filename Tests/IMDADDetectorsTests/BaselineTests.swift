// Deep SAD, Deep SVDD and Isolation Forest through the shared contract; batches; protocol.
import XCTest
@testable import IMDADDetectors
import IMDADData
import IMDADEngine

final class BaselineTests: XCTestCase {
    func testEveryMethodDetectsTheSyntheticAnomalies() throws {
        let (train, test, labels) = try syntheticData()
        for kind in MethodKind.allCases {
            var rng = RandomGenerator(seed: 2)
            let fitted = try fitDetector(quick(kind, epochs: 30), data: train, using: &rng)
            let scores = fitted.detector.scores(test)
            XCTAssertGreaterThan(Set(scores).count, scores.count / 2, "\(kind) scores are (nearly) constant")
            let auc = try Metrics.auroc(scores: scores.map(Double.init), labels: labels)
            XCTAssertGreaterThan(auc, kind == .deepSVDD || kind == .deepSVDDSoftBoundary ? 0.75 : 0.9, "\(kind) AUROC \(auc)")
        }
    }

    func testDeepSADCenterAvoidsZeroCoordinatesAndEncoderHasNoBias() throws {
        let (train, _, _) = try syntheticData()
        var rng = RandomGenerator(seed: 0)
        guard case .hypersphere(let m) = try fitDetector(quick(.deepSADUniform, epochs: 2), data: train, using: &rng) else {
            return XCTFail("Deep SAD's configuration fitted another kind of detector")
        }
        XCTAssertTrue(m.center.allSatisfy { abs($0) >= 0.1 })
        XCTAssertFalse(m.network.parameters.names.contains { $0.hasSuffix(".bias") })
    }

    func testBalancedBatchesHoldAnomaliesAndCoverNormals() {
        var rng = RandomGenerator(seed: 0)
        let batches = epochBatches(sampler: .balanced, normals: 1000, anomalies: 5, batchSize: 128, anomaliesPerBatch: 4, using: &rng)
        XCTAssertEqual(batches.count, 1000 / 124)
        XCTAssertTrue(batches.allSatisfy { $0.anomalous.count == 4 && $0.normal.count == 124 })
        XCTAssertEqual(Set(batches.flatMap(\.normal)).count, batches.count * 124)
        XCTAssertEqual(Set(batches.flatMap(\.anomalous)), Set(0..<5))
        XCTAssertEqual(defaultAnomaliesPerBatch(batchSize: 128, normals: 1000, anomalies: 100), 12)
        XCTAssertEqual(defaultAnomaliesPerBatch(batchSize: 128, normals: 1000, anomalies: 2), 2)
        let uniform = epochBatches(sampler: .uniform, normals: 300, anomalies: 20, batchSize: 64, anomaliesPerBatch: 0, using: &rng)
        XCTAssertEqual(uniform.count, 5)
        XCTAssertTrue(uniform.allSatisfy { $0.count == 64 })
    }

}
