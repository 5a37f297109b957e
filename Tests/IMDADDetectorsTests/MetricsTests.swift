import XCTest
@testable import IMDADDetectors

final class MetricsTests: XCTestCase {

    // MARK: Hand-computed cases

    func testHandComputedWithTiesFreeExample() throws {
        // Sorted descending: 0.8(+) 0.4(−) 0.35(+) 0.1(−).
        // Pairs (pos, neg): (0.35,0.1) (0.35,0.4✗) (0.8,0.1) (0.8,0.4) → 3/4.
        // AP = 0.5·1 + 0.5·(2/3) = 0.8333…
        let scores = [0.1, 0.4, 0.35, 0.8], labels = [0, 0, 1, 1]
        XCTAssertEqual(try Metrics.auroc(scores: scores, labels: labels), 0.75, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.averagePrecision(scores: scores, labels: labels), 5.0 / 6.0, accuracy: 1e-15)
    }

    func testTieCountsOneHalf() throws {
        // Positive 0.5 ties with negative 0.5 (½), beats negative 0.2 (1): AUROC = 1.5/2.
        // One threshold group {0.5: 1 pos, 1 neg}: R 0→1 at P = 1/2; AP = 0.5.
        let scores = [0.5, 0.5, 0.2], labels = [1, 0, 0]
        XCTAssertEqual(try Metrics.auroc(scores: scores, labels: labels), 0.75, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.averagePrecision(scores: scores, labels: labels), 0.5, accuracy: 1e-15)
    }

    func testAllTiedScores() throws {
        let scores = [Double](repeating: 3, count: 7), labels = [1, 0, 0, 1, 0, 0, 0]
        XCTAssertEqual(try Metrics.auroc(scores: scores, labels: labels), 0.5)
        // A single threshold: recall 1 at precision 2/7.
        XCTAssertEqual(try Metrics.averagePrecision(scores: scores, labels: labels), 2.0 / 7.0, accuracy: 1e-15)
        let roc = try Metrics.rocCurve(scores: scores, labels: labels)
        XCTAssertEqual(roc, [Metrics.ROCPoint(fpr: 0, tpr: 0, threshold: .infinity),
                             Metrics.ROCPoint(fpr: 1, tpr: 1, threshold: 3)])
    }

    func testPerfectAndInvertedRanking() throws {
        let labels = [0, 0, 0, 1, 1]
        let perfect = [0.1, 0.2, 0.3, 0.8, 0.9]
        XCTAssertEqual(try Metrics.auroc(scores: perfect, labels: labels), 1)
        XCTAssertEqual(try Metrics.averagePrecision(scores: perfect, labels: labels), 1)
        let inverted = perfect.map { -$0 }
        XCTAssertEqual(try Metrics.auroc(scores: inverted, labels: labels), 0)
        // Positives ranked 4th and 5th: AP = ½·(1/4) + ½·(2/5) = 0.325.
        XCTAssertEqual(try Metrics.averagePrecision(scores: inverted, labels: labels), 0.325, accuracy: 1e-15)
    }

    func testAllPositivesAveragePrecisionIsOne() throws {
        XCTAssertEqual(try Metrics.averagePrecision(scores: [0.1, 0.2, 0.2], labels: [1, 1, 1]), 1)
    }

    func testInfiniteScoresAreRanked() throws {
        let scores = [-Double.infinity, 0, .infinity, .infinity], labels = [0, 1, 1, 0]
        // Pairs: (0 vs −∞) 1, (0 vs +∞) 0, (+∞ vs −∞) 1, (+∞ vs +∞) ½ → 2.5/4.
        XCTAssertEqual(try Metrics.auroc(scores: scores, labels: labels), 0.625)
    }

    // MARK: Curves

    func testCurvesOnSimpleExample() throws {
        let scores = [0.1, 0.4, 0.35, 0.8], labels = [0, 0, 1, 1]
        XCTAssertEqual(try Metrics.rocCurve(scores: scores, labels: labels), [
            .init(fpr: 0, tpr: 0, threshold: .infinity),
            .init(fpr: 0, tpr: 0.5, threshold: 0.8),
            .init(fpr: 0.5, tpr: 0.5, threshold: 0.4),
            .init(fpr: 0.5, tpr: 1, threshold: 0.35),
            .init(fpr: 1, tpr: 1, threshold: 0.1),
        ])
        XCTAssertEqual(try Metrics.precisionRecallCurve(scores: scores, labels: labels), [
            .init(recall: 0, precision: 1, threshold: .infinity),
            .init(recall: 0.5, precision: 1, threshold: 0.8),
            .init(recall: 0.5, precision: 0.5, threshold: 0.4),
            .init(recall: 1, precision: 2.0 / 3.0, threshold: 0.35),
            .init(recall: 1, precision: 0.5, threshold: 0.1),
        ])
    }

    /// Expected curves from sklearn 1.9.1 for the first case of `sklearnCases`:
    ///   roc_curve(y, s, drop_intermediate=False); precision_recall_curve(y, s) (reversed).
    func testCurvesCollapseTiesLikeSklearn() throws {
        let (scores, labels, _, _) = Self.sklearnCases[0]
        let roc = try Metrics.rocCurve(scores: scores, labels: labels)
        let expectedROC: [(Double, Double, Double)] = [
            (0.0, 0.0, .infinity), (0.25, 0.5, 1.25), (0.375, 0.75, 1.0),
            (0.5, 1.0, 0.75), (0.875, 1.0, 0.25), (1.0, 1.0, 0.0),
        ]
        assertCurve(roc.map { ($0.fpr, $0.tpr, $0.threshold) }, expectedROC)
        let pr = try Metrics.precisionRecallCurve(scores: scores, labels: labels)
        let expectedPR: [(Double, Double, Double)] = [   // (recall, precision, threshold)
            (0.0, 1.0, .infinity), (0.5, 0.5, 1.25), (0.75, 0.5, 1.0),
            (1.0, 0.5, 0.75), (1.0, 0.36363636363636365, 0.25), (1.0, 0.3333333333333333, 0.0),
        ]
        assertCurve(pr.map { ($0.recall, $0.precision, $0.threshold) }, expectedPR)
    }

    // MARK: sklearn comparison

    /// Generated with scikit-learn 1.9.1 by:
    ///
    ///     import numpy as np
    ///     from sklearn.metrics import roc_auc_score, average_precision_score
    ///     rng = np.random.default_rng(7)
    ///     for n in (12, 30, 60):
    ///         s = rng.integers(0, 6, n) / 4.0          # few distinct values => many ties
    ///         y = (rng.random(n) < 0.35).astype(int)
    ///         print("(scores: %s, labels: %s, auroc: %r, ap: %r)," % (
    ///             "[" + ", ".join(repr(float(v)) for v in s) + "]",
    ///             "[" + ", ".join(str(int(v)) for v in y) + "]",
    ///             float(roc_auc_score(y, s)), float(average_precision_score(y, s))))
    static let sklearnCases: [(scores: [Double], labels: [Int], auroc: Double, ap: Double)] = [
        (scores: [1.25, 0.75, 1.0, 1.25, 0.75, 1.0, 1.25, 0.25, 0.0, 0.25, 0.25, 1.25],
         labels: [1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0],
         auroc: 0.75, ap: 0.5),
        (scores: [1.0, 0.75, 0.5, 1.25, 0.5, 0.25, 1.25, 0.0, 1.25, 0.75, 0.0, 0.0, 0.5, 0.0, 0.0, 0.75, 1.25, 0.5, 1.0, 1.25, 1.0, 0.75,
                  0.5, 0.75, 0.25, 0.5, 0.5, 0.25, 1.25, 0.0],
         labels: [1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
         auroc: 0.5185185185185186, ap: 0.3206349206349206),
        (scores: [1.25, 0.0, 0.75, 0.5, 0.5, 0.25, 0.0, 0.5, 1.0, 0.0, 0.5, 1.25, 1.25, 0.25, 0.0, 1.0, 0.0, 0.25, 0.5, 1.25, 0.0, 0.75,
                  0.75, 0.0, 1.25, 1.25, 0.5, 1.25, 0.75, 1.25, 1.25, 0.75, 0.25, 0.0, 0.75, 0.25, 1.0, 1.25, 0.25, 0.75, 0.0, 0.25, 0.5,
                  1.25, 1.25, 0.75, 0.75, 0.75, 0.0, 0.5, 1.25, 0.5, 0.25, 0.25, 1.0, 0.0, 1.25, 1.25, 0.75, 0.5],
         labels: [0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1,
                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0],
         auroc: 0.466484268125855, ap: 0.29031454687138014),
    ]

    func testMatchesSklearnOnRandomCasesWithTies() throws {
        for (i, c) in Self.sklearnCases.enumerated() {
            XCTAssertEqual(try Metrics.auroc(scores: c.scores, labels: c.labels), c.auroc, accuracy: 1e-12, "case \(i)")
            XCTAssertEqual(try Metrics.averagePrecision(scores: c.scores, labels: c.labels), c.ap, accuracy: 1e-12, "case \(i)")
        }
    }

    func testAUROCEqualsTrapezoidUnderROCCurve() throws {
        for c in Self.sklearnCases {
            let roc = try Metrics.rocCurve(scores: c.scores, labels: c.labels)
            var area = 0.0
            for k in 1..<roc.count {
                area += (roc[k].fpr - roc[k - 1].fpr) * (roc[k].tpr + roc[k - 1].tpr) / 2
            }
            XCTAssertEqual(area, try Metrics.auroc(scores: c.scores, labels: c.labels), accuracy: 1e-12)
        }
    }

    // MARK: Confusion

    func testConfusion() throws {
        let predictions = [true, true, false, false, true, false]
        let labels = [1, 0, 1, 0, 1, 0]
        let c = try Metrics.confusion(predictions: predictions, labels: labels)
        XCTAssertEqual(c, Metrics.Confusion(tp: 2, fp: 1, tn: 2, fn: 1))
        XCTAssertEqual(c.precision, 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(c.recall, 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(c.f1, 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(c.accuracy, 4.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(c.falsePositiveRate, 1.0 / 3.0, accuracy: 1e-15)
    }

    func testConfusionZeroOverZeroIsZero() throws {
        let c = try Metrics.confusion(predictions: [false, false], labels: [0, 0])
        XCTAssertEqual(c, Metrics.Confusion(tp: 0, fp: 0, tn: 2, fn: 0))
        XCTAssertEqual(c.precision, 0)
        XCTAssertEqual(c.recall, 0)
        XCTAssertEqual(c.f1, 0)
        XCTAssertEqual(c.accuracy, 1)
    }

    // MARK: Errors

    func testErrors() {
        func kind(_ body: () throws -> Any) -> MetricsError.Kind? {
            do { _ = try body(); return nil } catch let e as MetricsError { return e.kind } catch { return nil }
        }
        XCTAssertEqual(kind { try Metrics.auroc(scores: [1, 2], labels: [1]) }, .lengthMismatch(scores: 2, labels: 1))
        XCTAssertEqual(kind { try Metrics.auroc(scores: [], labels: []) }, .emptyInput)
        XCTAssertEqual(kind { try Metrics.auroc(scores: [1, 2], labels: [1, 1]) }, .singleClass(label: 1, count: 2))
        XCTAssertEqual(kind { try Metrics.auroc(scores: [1, 2], labels: [0, 0]) }, .singleClass(label: 0, count: 2))
        XCTAssertEqual(kind { try Metrics.rocCurve(scores: [1, 2], labels: [0, 0]) }, .singleClass(label: 0, count: 2))
        XCTAssertEqual(kind { try Metrics.averagePrecision(scores: [1, 2], labels: [0, 0]) }, .singleClass(label: 0, count: 2))
        XCTAssertEqual(kind { try Metrics.auroc(scores: [1, .nan], labels: [0, 1]) }, .nanScore(index: 1))
        XCTAssertEqual(kind { try Metrics.averagePrecision(scores: [1, 2], labels: [0, 2]) }, .invalidLabel(index: 1, value: 2))
        XCTAssertEqual(kind { try Metrics.confusion(predictions: [true], labels: [0, 1]) }, .lengthMismatch(scores: 1, labels: 2))
        XCTAssertEqual(kind { try Metrics.confusion(predictions: [], labels: []) }, .emptyInput)
        XCTAssertEqual(kind { try Metrics.confusion(predictions: [true], labels: [-1]) }, .invalidLabel(index: 0, value: -1))
        // Descriptions are informative.
        XCTAssertTrue(MetricsError(.nanScore(index: 3)).description.contains("index 3"))
        XCTAssertTrue(MetricsError(.singleClass(label: 1, count: 5)).description.contains("only one class"))
    }
}

/// A curve's points `(x, y, threshold)` equal `expected`: x and y within 1e-12, thresholds exactly.
private func assertCurve(_ points: [(Double, Double, Double)], _ expected: [(Double, Double, Double)],
                         file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(points.count, expected.count, file: file, line: line)
    for (p, e) in zip(points, expected) {
        XCTAssertEqual(p.0, e.0, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(p.1, e.1, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(p.2, e.2, file: file, line: line)
    }
}
