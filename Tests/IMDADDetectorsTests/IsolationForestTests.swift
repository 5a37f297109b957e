import Foundation
import XCTest
@testable import IMDADDetectors
import IMDADEngine

/// 500 points from a standard 2-D Gaussian followed by 10 outliers on a circle of radius 8.
fileprivate func gaussianWithOutliers(seed: UInt64) -> (features: [Double], labels: [Int]) {
    var rng = RandomGenerator(seed: seed)
    var features: [Double] = []
    var labels: [Int] = []
    for _ in 0..<500 {
        features += [Double(rng.normal()), Double(rng.normal())]
        labels.append(0)
    }
    for k in 0..<10 {
        let angle = 2 * Double.pi * Double(k) / 10
        features += [8 * cos(angle), 8 * sin(angle)]
        labels.append(1)
    }
    return (features, labels)
}

final class IsolationForestTests: XCTestCase {

    func testAveragePathLength() {
        XCTAssertEqual(IsolationForest.averagePathLength(0), 0)
        XCTAssertEqual(IsolationForest.averagePathLength(1), 0)
        XCTAssertEqual(IsolationForest.averagePathLength(2), 1)
        // c(3) = 2(ln 2 + γ) − 4/3
        XCTAssertEqual(IsolationForest.averagePathLength(3), 2 * (log(2.0) + 0.5772156649) - 4.0 / 3.0, accuracy: 1e-12)
        // c(256) = 2(ln 255 + γ) − 2·255/256 = 2(5.541264 + 0.577216) − 1.992188 ≈ 10.2448
        XCTAssertEqual(IsolationForest.averagePathLength(256), 10.2448, accuracy: 1e-4)
    }

    func testOutliersScoreHigh() throws {
        let data = gaussianWithOutliers(seed: 42)
        var rng = RandomGenerator(seed: 1)
        let model = try IsolationForest().fit(features: data.features, rows: 510, columns: 2, using: &rng)
        XCTAssertEqual(model.treeCount, 100)
        XCTAssertEqual(model.sampleSize, 256)
        XCTAssertEqual(model.heightLimit, 8)
        let scores = model.scores(features: data.features, rows: 510, columns: 2)
        let inliers = scores[0..<500].sorted()
        let p95 = inliers[Int(0.95 * 500)]
        for s in scores[500...] { XCTAssertGreaterThan(s, p95) }
        XCTAssertGreaterThan(try Metrics.auroc(scores: scores, labels: data.labels), 0.95)
    }

    func testScoresInUnitInterval() throws {
        let data = gaussianWithOutliers(seed: 3)
        var rng = RandomGenerator(seed: 2)
        let model = try IsolationForest(treeCount: 20, subsampleSize: 64).fit(
            features: data.features, rows: 510, columns: 2, using: &rng)
        // Also score points far outside the training range.
        let probe = data.features + [1e6, -1e6, 0, 0]
        for s in model.scores(features: probe, rows: 512, columns: 2) {
            XCTAssertGreaterThan(s, 0)
            XCTAssertLessThanOrEqual(s, 1)
        }
    }

    func testSameSeedSameScoresDifferentSeedDifferentTrees() throws {
        let data = gaussianWithOutliers(seed: 5)
        let forest = IsolationForest(treeCount: 25)
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9), c = RandomGenerator(seed: 10)
        let m1 = try forest.fit(features: data.features, rows: 510, columns: 2, using: &a)
        let m2 = try forest.fit(features: data.features, rows: 510, columns: 2, using: &b)
        let m3 = try forest.fit(features: data.features, rows: 510, columns: 2, using: &c)
        XCTAssertEqual(m1, m2)
        XCTAssertEqual(m1.scores(features: data.features, rows: 510, columns: 2),
                       m2.scores(features: data.features, rows: 510, columns: 2))
        XCTAssertNotEqual(m1.splitValue, m3.splitValue)
        XCTAssertNotEqual(m1.scores(features: data.features, rows: 510, columns: 2),
                          m3.scores(features: data.features, rows: 510, columns: 2))
    }

    func testTreeStructure() throws {
        let data = gaussianWithOutliers(seed: 6)
        var rng = RandomGenerator(seed: 4)
        let model = try IsolationForest(treeCount: 10, subsampleSize: 100).fit(
            features: data.features, rows: 510, columns: 2, using: &rng)
        for root in model.treeRoots { XCTAssertEqual(model.nodeSize[Int(root)], 100) }
        for i in 0..<model.nodeCount where model.splitFeature[i] >= 0 {
            let l = Int(model.leftChild[i]), r = Int(model.rightChild[i])
            XCTAssertEqual(model.nodeSize[l] + model.nodeSize[r], model.nodeSize[i])
            XCTAssertGreaterThan(model.nodeSize[l], 0)
            XCTAssertGreaterThan(model.nodeSize[r], 0)
        }
    }

    func testHandComputedPathLengths() throws {
        // Two distinct points, ψ = 2, height limit 1: the root splits them into two external
        // nodes of size 1, so h = 1 + c(1) = 1 for both, E[h] = 1, c(2) = 1, s = 2^-1.
        var rng = RandomGenerator(seed: 15)
        let model = try IsolationForest(treeCount: 3).fit(features: [0, 1], rows: 2, columns: 1, using: &rng)
        XCTAssertEqual(model.heightLimit, 1)
        XCTAssertEqual(model.meanPathLengths(features: [0, 1], rows: 2, columns: 1), [1, 1])
        XCTAssertEqual(model.scores(features: [0, 1], rows: 2, columns: 1), [0.5, 0.5])

        // Height limit 0: a single external node of size 4 → h = c(4) for every x.
        let stump = try IsolationForest(treeCount: 2, maxDepth: 0).fit(
            features: [0, 1, 2, 3], rows: 4, columns: 1, using: &rng)
        let c4 = 2 * (log(3.0) + 0.5772156649) - 1.5
        for h in stump.meanPathLengths(features: [9], rows: 1, columns: 1) { XCTAssertEqual(h, c4, accuracy: 1e-12) }
    }

    func testBatchedScoringMatchesRowByRow() throws {
        let data = gaussianWithOutliers(seed: 16)
        var rng = RandomGenerator(seed: 17)
        let model = try IsolationForest(treeCount: 30).fit(features: data.features, rows: 510, columns: 2, using: &rng)
        let batch = model.meanPathLengths(features: data.features, rows: 510, columns: 2)
        for row in stride(from: 0, to: 510, by: 7) {
            let single = model.meanPathLengths(features: Array(data.features[2 * row..<2 * row + 2]), rows: 1, columns: 2)
            XCTAssertEqual(single[0], batch[row])
        }
    }

    func testConstantFeatures() throws {
        // Column 0 constant, column 1 varies: splits only on column 1.
        var features: [Double] = []
        for i in 0..<50 { features += [7, Double(i)] }
        var rng = RandomGenerator(seed: 11)
        let model = try IsolationForest(treeCount: 10).fit(features: features, rows: 50, columns: 2, using: &rng)
        XCTAssertTrue(model.splitFeature.allSatisfy { $0 == -1 || $0 == 1 })
        XCTAssertEqual(model.scores(features: features, rows: 50, columns: 2).count, 50)

        // All features constant: every tree is one external node of size ψ, E[h] = c(ψ), s = 0.5.
        let constant = [Double](repeating: 3, count: 40 * 3)
        let flat = try IsolationForest(treeCount: 5).fit(features: constant, rows: 40, columns: 3, using: &rng)
        XCTAssertEqual(flat.nodeCount, 5)
        for s in flat.scores(features: constant, rows: 40, columns: 3) { XCTAssertEqual(s, 0.5, accuracy: 1e-12) }
    }

    func testSingleSample() throws {
        var rng = RandomGenerator(seed: 12)
        let model = try IsolationForest().fit(features: [1, 2, 3], rows: 1, columns: 3, using: &rng)
        XCTAssertEqual(model.sampleSize, 1)
        XCTAssertEqual(model.heightLimit, 0)
        XCTAssertEqual(model.scores(features: [1, 2, 3, 100, 100, 100], rows: 2, columns: 3), [0.5, 0.5])
    }

    func testErrors() {
        var rng = RandomGenerator(seed: 13)
        func kind(_ body: () throws -> Any) -> IsolationForestError.Kind? {
            do { _ = try body(); return nil } catch let e as IsolationForestError { return e.kind } catch { return nil }
        }
        XCTAssertEqual(kind { try IsolationForest().fit(features: [], rows: 0, columns: 4, using: &rng) }, .emptyData)
        XCTAssertEqual(kind { try IsolationForest().fit(features: [1, 2, .nan, 4], rows: 2, columns: 2, using: &rng) },
                       .nonFiniteValue(row: 1, column: 0))
        if case .invalidConfiguration = kind({ try IsolationForest(treeCount: 0).fit(features: [1], rows: 1, columns: 1, using: &rng) }) {
        } else { XCTFail("expected invalidConfiguration") }
        XCTAssertTrue(IsolationForestError(.emptyData).description.contains("no rows"))
    }

    func testCodableRoundTripAndValidation() throws {
        let data = gaussianWithOutliers(seed: 8)
        var rng = RandomGenerator(seed: 14)
        let model = try IsolationForest(treeCount: 5, subsampleSize: 32).fit(
            features: data.features, rows: 510, columns: 2, using: &rng)
        let json = try JSONEncoder().encode(model)
        let decoded = try JSONDecoder().decode(IsolationForest.Model.self, from: json)
        XCTAssertEqual(decoded, model)
        XCTAssertEqual(decoded.scores(features: data.features, rows: 510, columns: 2),
                       model.scores(features: data.features, rows: 510, columns: 2))

        // A child pointing backwards (a cycle) is rejected.
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        var right = try XCTUnwrap(object["rightChild"] as? [Int])
        let internalNode = try XCTUnwrap(model.splitFeature.firstIndex { $0 >= 0 })
        right[internalNode] = internalNode
        object["rightChild"] = right
        let corrupt = try JSONSerialization.data(withJSONObject: object)
        XCTAssertThrowsError(try JSONDecoder().decode(IsolationForest.Model.self, from: corrupt)) {
            guard case .dataCorrupted(let context) = $0 as? DecodingError else { return XCTFail("not a corrupt-data error: \($0)") }
            XCTAssertTrue(context.debugDescription.hasPrefix("Invalid IsolationForest.Model: "), context.debugDescription)
        }

        let config = IsolationForest(treeCount: 7, subsampleSize: 64, maxDepth: 3)
        XCTAssertEqual(try JSONDecoder().decode(IsolationForest.self, from: JSONEncoder().encode(config)), config)
    }
}
