import XCTest
import Foundation
import IMDADEngine
import IMDADData
import IMDADDetectors
import IMDADCharts
import IMDADTestSupport
@testable import IMDADReports

/// The numbers of an explanation agree with the model, and its renderings are sound.
final class ExplanationTests: XCTestCase {
    let fx = SyntheticTabular.shared

    func testNumbersMatchTheModel() throws {
        let rows = [0, 5, 299, 300, 339]
        let ex = try Explainer(model: fx.model, training: fx.trainNormals).explain(fx.test, rows: rows)
        // Bit-for-bit the numbers of the model on the same data.
        let sub = fx.test.rows(at: rows)
        let all = fx.model.scores(fx.test), allZones = fx.model.zones(fx.test)
        let scores = rows.map { all[$0] }, zones = rows.map { allZones[$0] }
        let phi = fx.model.representations(fx.test).rows(at: rows)
        // A separate pass over the sub-batch agrees to rounding.
        for (a, b) in zip(scores, fx.model.scores(sub)) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(a))) }
        let sphere = fx.model.sphere, k = sphere.center.count
        for (j, e) in ex.enumerated() {
            XCTAssertEqual(e.sample, rows[j])
            XCTAssertEqual(e.score, scores[j])
            XCTAssertEqual(e.zone, zones[j])
            XCTAssertEqual(e.representation, Array(phi.scalars[(j * k)..<((j + 1) * k)]))
            XCTAssertEqual(e.distanceSquared, sphere.distanceSquared(phi.scalars[(j * k)..<((j + 1) * k)]))
            XCTAssertEqual(e.distance, e.distanceSquared.squareRoot())
            XCTAssertEqual(e.radiusSquared, sphere.radiusSquared)
            // s = ‖φ − c‖² − R² = Σₖ (φₖ − cₖ)² − R²
            let sumContrib = e.contributions.reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(sumContrib, Double(e.distanceSquared), accuracy: 1e-4 * max(1, Double(e.distanceSquared)))
            XCTAssertEqual(Double(e.score), Double(e.distanceSquared - e.radiusSquared), accuracy: 1e-3 * max(1, abs(Double(e.score))))
            XCTAssertEqual(e.features.map(\.value), Array(fx.test.scalars[(rows[j] * 8)..<((rows[j] + 1) * 8)]))
            for f in e.features { XCTAssertEqual(f.gradientTimesInput, f.value * f.gradient) }
            XCTAssertEqual(Set(e.features.map(\.integratedGradientsRank)), Set(1...8))
        }
    }

    /// The tape's ∂s/∂x agrees with central finite differences of `IMDAD.scores`, and a row's
    /// gradient does not depend on the other rows of its batch (inference mode).
    func testGradientMatchesFiniteDifferencesAndIsPerSample() throws {
        let x = fx.test.rows(at: [3, 310])
        let batch = ScoreGradient.evaluate(fx.model.network, x).gradients
        let alone = ScoreGradient.evaluate(fx.model.network, fx.test.rows(at: [310])).gradients
        for i in 0..<8 { XCTAssertEqual(batch[8 + i], alone[i], accuracy: 1e-5 * max(1, abs(alone[i]))) }
        // Small steps: the leaky ReLUs put kinks within 1e-2 of some test points. Central
        // differences in Double (over the step actually taken in Float) at h and h/2, Richardson-
        // extrapolated; a feature whose two differences disagree has a kink within the step and is
        // left out (at most 2 of the 16). Tight enough to catch a 1 % error.
        func difference(_ row: Int, _ i: Int, _ h: Float) -> Double {
            var plus = Array(x.scalars[(row * 8)..<((row + 1) * 8)]), minus = plus
            plus[i] += h; minus[i] -= h
            let s = fx.model.scores(Tensor(shape: [2, 8], scalars: plus + minus))
            return (Double(s[0]) - Double(s[1])) / (Double(plus[i]) - Double(minus[i]))
        }
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 2e-3 * max(abs(a), abs(b)) + 5e-4 }
        var kinks = 0
        for row in 0..<2 {
            for i in 0..<8 {
                let coarse = difference(row, i, 2e-3), fine = difference(row, i, 1e-3)
                guard close(coarse, fine) else { kinks += 1; continue }
                let fd = (4 * fine - coarse) / 3, g = Double(batch[row * 8 + i])
                XCTAssertTrue(close(g, fd), "row \(row), feature \(i): analytic \(g) vs numeric \(fd)")
                XCTAssertFalse(close(1.01 * g, fd) && abs(g) > 0.1, "row \(row), feature \(i): a 1 % error would pass")
            }
        }
        XCTAssertLessThanOrEqual(kinks, 2)
    }

    func testBaselines() throws {
        let zeros = try Explainer(model: fx.model, baseline: .zeros)
        XCTAssertEqual(zeros.baseline, [Float](repeating: 0, count: 8))
        XCTAssertNil(zeros.prototypeIndex)
        XCTAssertEqual(zeros.baselineScore, fx.model.scores(Tensor(shape: [1, 8], repeating: 0))[0])
        let mean = try Explainer(model: fx.model, training: fx.trainNormals, baseline: .mean)
        for k in 0..<8 {
            let m = (0..<1000).reduce(0.0) { $0 + Double(fx.trainNormals.scalars[$1 * 8 + k]) } / 1000
            XCTAssertEqual(Double(mean.baseline[k]), m, accuracy: 1e-5)
        }
        let nearest = try Explainer(model: fx.model, training: fx.trainNormals, baseline: .nearestNormal)
        let p = try XCTUnwrap(nearest.prototypeIndex)
        let phi = fx.model.representations(fx.trainNormals)
        let d2 = (0..<1000).map { fx.model.sphere.distanceSquared(phi.scalars[($0 * 4)..<(($0 + 1) * 4)]) }
        XCTAssertEqual(d2[p], d2.min())
        XCTAssertEqual(nearest.baseline, Array(fx.trainNormals.scalars[(p * 8)..<((p + 1) * 8)]))
        XCTAssertThrowsError(try Explainer(model: fx.model, baseline: .nearestNormal)) {
            XCTAssertEqual($0 as? ExplanationError, .baselineNeedsTrainingData(.nearestNormal))
        }
        XCTAssertThrowsError(try Explainer(model: fx.model, baseline: .zeros, steps: 1)) {
            XCTAssertEqual($0 as? ExplanationError, .invalidSteps(1))
        }
        XCTAssertThrowsError(try Explainer(model: fx.model, baseline: .zeros, featureNames: ["a"])) {
            XCTAssertEqual($0 as? ExplanationError, .featureNamesMismatch(expected: 8, found: 1))
        }
        XCTAssertThrowsError(try zeros.explain(fx.test, rows: [10_000])) {
            XCTAssertEqual($0 as? ExplanationError, .rowOutOfRange(10_000, rows: fx.test.shape[0]))
        }
    }

    func testRawValuesFromScalerAndFromRows() throws {
        // A scaler fitted on made-up raw data: raw = 10 + 20·x roughly; the inverse must round-trip.
        let raw = (0..<50).flatMap { i in (0..<8).map { k in Double(10 + i + 3 * k) } }
        let scaler = try StandardMinMaxScaler.fit(raw, rows: 50, columns: 8)
        let scaled = try scaler.transform(raw, columns: 8)
        let x = Tensor(shape: [50, 8], scalars: scaled)
        let ex = try Explainer(model: fx.model, baseline: .zeros, scaler: scaler).explain(x, rows: [7])
        for f in ex[0].features { XCTAssertEqual(f.rawValue!, raw[7 * 8 + f.index], accuracy: 1e-3) }
        let rows = (0..<50).map { i in (0..<8).map { Double(i * 100 + $0) } }
        let ex2 = try Explainer(model: fx.model, baseline: .zeros, scaler: scaler).explain(x, rows: [7], rawRows: rows)
        XCTAssertEqual(ex2[0].features.map { $0.rawValue! }, rows[7])
    }

    func testJSONRoundTripAndText() throws {
        let ex = try Explainer(model: fx.model, training: fx.trainNormals, featureNames: SyntheticTabular.names)
            .explain(fx.test, rows: [fx.testAnomalyRows[0]])[0]
        let json = try JSONEncoder().encode(ex)
        XCTAssertEqual(try JSONDecoder().decode(Explanation.self, from: json), ex)
        let object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        for key in ["score", "distance", "zone", "contributions", "features", "completenessGap", "baseline"] {
            XCTAssertNotNil(object[key], key)
        }
        let text = ex.text(top: 3)
        print(text)
        XCTAssertTrue(text.contains("score s = \(ReportFormat.number(ex.score))"))
        XCTAssertTrue(text.contains(ex.ranked(by: .integratedGradients)[0].name))
        XCTAssertTrue(text.contains("completeness gap"))
        XCTAssertTrue(text.contains("… 5 more features"))
    }

    func testFormat() {
        XCTAssertEqual(ReportFormat.number(Float(1.23456)), "1.235")
        XCTAssertEqual(ReportFormat.number(0.0), "0")
        XCTAssertEqual(ReportFormat.number(-12345.0), "-12345")
        XCTAssertEqual(ReportFormat.number(0.5), "0.5")
        XCTAssertEqual(ReportFormat.number(1e-6), "1.000e-06")
        XCTAssertEqual(ReportFormat.signed(0.25), "+0.25")
        XCTAssertEqual(ReportFormat.percent(0.1234), "12.3 %")
    }

    func testAttributionHeatMapPNG() throws {
        let im = SyntheticImages.shared
        let row = im.testLabels.firstIndex(of: 1)!
        let e = try Explainer(model: im.model, training: im.trainNormals).explain(im.test, rows: [row])[0]
        let png = try attributionHeatMapPNG(e, imageShape: SyntheticImages.shape, scale: 8)
        let decoded = try decodeScreenshot(png)
        XCTAssertEqual(decoded.width, 32)
        XCTAssertEqual(decoded.height, 32)
        XCTAssertGreaterThan(decoded.distinctColors(), 2)
        // The bright patch (pixels 0, 1, 4, 5) carries most of the attribution mass.
        let ig = e.attributions(.integratedGradients).map { abs($0) }
        let patch = [0, 1, 4, 5].reduce(Float(0)) { $0 + ig[$1] }, total = ig.reduce(0, +)
        print("image IG mass on the patch: \(patch / total)")
        XCTAssertGreaterThan(patch / total, 0.5)
        XCTAssertThrowsError(try attributionHeatMapPNG(e, imageShape: [1, 28, 28])) {
            XCTAssertEqual($0 as? ReportError, .imageShapeMismatch(shape: [1, 28, 28], features: 16))
        }
        XCTAssertEqual(try decodeScreenshot(try attributionHeatMapPNG(e, imageShape: [4, 4], scale: 1)).width, 4)
    }
}
