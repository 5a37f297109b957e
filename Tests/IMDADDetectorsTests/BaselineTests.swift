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

    func testTabularProtocolSplitsStratifiedAndDeterministic() throws {
        var x: [Double] = [], y: [Int] = []
        for i in 0..<1000 { x += [Double(i), Double(i % 7)]; y.append(i < 900 ? 0 : 1) }
        let data = TabularData(rows: 1000, columns: 2, features: x, labels: y)
        let s = try TabularProtocol.split(data, seed: 3, labeledRatio: 0.01)
        XCTAssertEqual(s.testLabels.filter { $0 == 0 }.count, 360)
        XCTAssertEqual(s.testLabels.filter { $0 == 1 }.count, 40)
        XCTAssertEqual(s.train.normalRows.count, 540)
        XCTAssertEqual(s.train.anomalyRows.count, 5)  // ⌊0.01/0.99 · 540⌋
        let train = Set(s.train.features.scalars.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        let test = Set(s.testFeatures.scalars.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        XCTAssertTrue(train.isDisjoint(with: test))
        XCTAssertTrue(s.train.features.scalars.allSatisfy { $0 >= -1e-6 && $0 <= 1 + 1e-6 })
        let again = try TabularProtocol.split(data, seed: 3, labeledRatio: 0.01)
        XCTAssertEqual(again.train.features, s.train.features)
        let other = try TabularProtocol.split(data, seed: 4, labeledRatio: 0.01)
        XCTAssertNotEqual(other.train.features, s.train.features)
    }
}
