// IMD-AD learns, never collapses, and honours its margin.
import XCTest
@testable import IMDADDetectors
import IMDADEngine

final class IMDADTests: XCTestCase {
    func fit(seed: UInt64 = 0, epochs: Int = 40) throws -> (IMDAD, LabeledData, Tensor, [Int]) {
        let (train, test, labels) = try syntheticData()
        var rng = RandomGenerator(seed: seed)
        return (try IMDAD.fit(quickIMDAD(epochs: epochs), data: train, using: &rng), train, test, labels)
    }

    func testLearnsWithoutCollapse() throws {
        let (model, train, test, labels) = try fit()
        let scores = model.scores(test)
        // not constant
        XCTAssertGreaterThan(Set(scores).count, scores.count / 2)
        XCTAssertGreaterThan(scores.max()! - scores.min()!, 0.1)
        // detects the shifted anomalies
        XCTAssertGreaterThan(try Metrics.auroc(scores: scores.map(Double.init), labels: labels), 0.95)
        // c and R moved from their initial values (R² starts at 0)
        XCTAssertGreaterThan(abs(model.sphere.radiusSquared), 1e-4)
        XCTAssertNotEqual(model.log.first!.values["R²"], model.log.last!.values["R²"])
        // labeled training anomalies end beyond the margin (s ≥ ρ²) — all but at most one
        let trainScores = model.scores(train.features)
        let beyond = train.anomalyRows.filter { trainScores[$0] >= model.sphere.marginSquared }.count
        XCTAssertGreaterThanOrEqual(beyond, train.anomalyRows.count - 1)
        // the ν-property, loosely: at most about ν of the training normals are outside
        let outside = train.normalRows.filter { trainScores[$0] > 0 }.count
        XCTAssertLessThan(Double(outside) / Double(train.normalRows.count), Double(model.configuration.nu) + 0.1)
        // loss went down
        XCTAssertLessThan(model.log.last!.loss, model.log.first!.loss)
    }

    func testCenterMovedFromInitialMean() throws {
        let (model, train, _, _) = try fit(epochs: 20)
        var rng = RandomGenerator(seed: 0)
        var net = Network(IMDAD.body(model.configuration), using: &rng)
        let z = initialForward(&net, train.normals, layers: 0..<1)
        let c0 = columnMeans(z)
        let moved = zip(c0, model.sphere.center).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(moved, 1e-3)
        // with the center's learning rate at 0 (ablation), c stays the initial mean while R² moves
        var settings = quickIMDAD(epochs: 20)
        settings.ablation.centerLearningRateScale = 0
        var rng2 = RandomGenerator(seed: 0)
        let fixed = try IMDAD.fit(settings, data: train, using: &rng2)
        for (a, b) in zip(c0, fixed.sphere.center) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertGreaterThan(abs(fixed.sphere.radiusSquared), 1e-4)
    }

    func testSameSeedSameModelDifferentSeedDifferentModel() throws {
        let (a, _, test, _) = try fit(seed: 5, epochs: 5)
        let (b, _, _, _) = try fit(seed: 5, epochs: 5)
        let (c, _, _, _) = try fit(seed: 6, epochs: 5)
        XCTAssertEqual(a.network.parameters, b.network.parameters)
        XCTAssertEqual(a.scores(test), b.scores(test))
        XCTAssertNotEqual(a.network.parameters, c.network.parameters)
    }

    func testNeedsLabeledAnomaliesUnlessOneClass() throws {
        let (train, _, _) = try syntheticData(labeled: 0)
        var rng = RandomGenerator(seed: 0)
        XCTAssertThrowsError(try IMDAD.fit(quickIMDAD(epochs: 2), data: train, using: &rng)) {
            XCTAssertEqual($0 as? DetectorError, .noLabeledAnomalies(method: "IMD-AD"))
        }
        var s = quickIMDAD(epochs: 2)
        s.allowOneClass = true
        let oneClass = try IMDAD.fit(s, data: train, using: &rng)
        XCTAssertTrue(oneClass.configuration.allowOneClass)
        XCTAssertEqual(oneClass.log.count, 2)
    }

    func testRejectsBadDataAndConfiguration() throws {
        XCTAssertThrowsError(try LabeledData(features: Tensor(shape: [2, 1], scalars: [0, .nan]), labels: [0, 0])) {
            XCTAssertEqual($0 as? DetectorError, .invalidData("row 1, feature 0 is nan; expected a finite number"))
        }
        XCTAssertThrowsError(try LabeledData(features: Tensor(shape: [2, 1], scalars: [0, 1]), labels: [0, 2])) {
            XCTAssertEqual($0 as? DetectorError, .invalidData("label of row 1 is 2; expected 0 (normal/unlabeled) or 1 (anomaly)"))
        }
        XCTAssertThrowsError(try LabeledData(features: Tensor(shape: [2, 1], scalars: [0, 1]), labels: [0])) {
            XCTAssertEqual($0 as? DetectorError, .invalidData("2 rows of features but 1 labels"))
        }
        let (train, _, _) = try syntheticData()
        var rng = RandomGenerator(seed: 0)
        XCTAssertThrowsError(try IMDAD.fit(quickIMDAD(epochs: 1, encoder: .mlp(input: 7, hidden: [4], representation: 2)),
                                           data: train, using: &rng)) {
            XCTAssertEqual($0 as? DetectorError, .featureMismatch(expected: 7, found: 6))
        }
        let onlyAnomalies = try LabeledData(features: Tensor(shape: [3, 6], repeating: 0.5), labels: [1, 1, 1])
        XCTAssertThrowsError(try IMDAD.fit(quickIMDAD(epochs: 1), data: onlyAnomalies, using: &rng)) {
            XCTAssertEqual($0 as? DetectorError, .noNormalSamples)
        }
    }

    func testDivergenceStopsLoudly() throws {
        let (train, _, _) = try syntheticData(normals: 200)
        var s = quickIMDAD(epochs: 20)
        s.training.learningRate = 1e30
        var rng = RandomGenerator(seed: 0)
        XCTAssertThrowsError(try IMDAD.fit(s, data: train, using: &rng)) { error in
            XCTAssertTrue(error is TrainingError, "\(error)")
            XCTAssertTrue("\(error)".contains("HINT"), "\(error)")
        }
    }

    /// The compactness term μ·mean‖φ − c‖² pulls the training normals towards c (relative to R²),
    /// and a configuration encoded before μ existed decodes with μ = 0.
    func testCompactnessTermAndItsDefaultWhenAbsent() throws {
        let (train, _, _) = try syntheticData()
        func meanNormalDistance(mu: Float) throws -> Float {
            var s = quickIMDAD(epochs: 30)
            s.ablation.compactness = mu
            var rng = RandomGenerator(seed: 3)
            let m = try IMDAD.fit(s, data: train, using: &rng)
            let scores = m.scores(train.normals)
            return scores.reduce(0, +) / Float(scores.count) + m.sphere.radiusSquared
        }
        XCTAssertLessThan(try meanNormalDistance(mu: 10), try meanNormalDistance(mu: 0))
        var rng = RandomGenerator(seed: 0)
        var s = quickIMDAD(epochs: 1)
        s.ablation.compactness = -1
        XCTAssertThrowsError(try IMDAD.fit(s, data: train, using: &rng)) {
            XCTAssertEqual($0 as? DetectorError, .invalidParameter(name: "ablation.compactness", value: "-1.0", expected: "≥ 0"))
        }

        var c = IMDADConfiguration(encoder: smallMLP)
        c.ablation.compactness = 2
        let json = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(IMDADConfiguration.self, from: json), c)
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        var ablation = try XCTUnwrap(object["ablation"] as? [String: Any])
        ablation["compactness"] = nil
        object["ablation"] = ablation
        let old = try JSONDecoder().decode(IMDADConfiguration.self, from: try JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(old.ablation.compactness, 0)
        XCTAssertEqual(old.nu, c.nu)
    }

    /// Deep SAD's push π/m Σ 1/(‖φ(x̃ⱼ) − c‖² + ε) adds exactly that to the batch objective (with the
    /// distance read as `s + R²`), its gradient moves the anomalies' scores up, a bad π is refused,
    /// and a configuration encoded before π existed decodes with π = 0.
    func testAnomalyPushTermAndItsDefaultWhenAbsent() throws {
        var c = IMDADConfiguration(encoder: smallMLP)
        let scores = Tensor([0.2, -0.5, 0.9, 1.5, 4])   // 3 normals, then 2 labeled anomalies
        let w = Tensor([0.4, -0.2, 0.6, 0]), b = Tensor([0.3])
        let r2 = 0.3 + (0.16 + 0.04 + 0.36) / 4                         // R² = b + ‖w‖²/4
        func loss(push: Float) -> (Double, Tensor) {
            c.ablation.anomalyPush = push
            let tape = Tape()
            let s = tape.variable(scores)
            let J = IMDADObjective(c).batchLoss(scores: s, anomalyCount: 2, w: tape.constant(w), b: tape.constant(b)).loss
            tape.backward(from: J)
            return (Double(J.value.scalars[0]), tape.gradient(of: s))
        }
        let (plain, plainGradient) = loss(push: 0), (pushed, pushedGradient) = loss(push: 3)
        let expected = 3 * (1 / (1.5 + r2 + 1e-6) + 1 / (4 + r2 + 1e-6)) / 2
        XCTAssertEqual(pushed - plain, expected, accuracy: 1e-5)
        // ∂/∂s of π/2 · 1/(s + R²): negative, so descent moves the anomalies out; normals untouched
        XCTAssertEqual(Double(pushedGradient.scalars[3] - plainGradient.scalars[3]), -1.5 / pow(1.5 + r2, 2), accuracy: 1e-4)
        XCTAssertEqual(Array(pushedGradient.scalars[0..<3]), Array(plainGradient.scalars[0..<3]))

        let (train, _, _) = try syntheticData()
        var settings = quickIMDAD(epochs: 1)
        settings.ablation.anomalyPush = -1
        var rng = RandomGenerator(seed: 0)
        XCTAssertThrowsError(try IMDAD.fit(settings, data: train, using: &rng)) {
            XCTAssertEqual($0 as? DetectorError, .invalidParameter(name: "ablation.anomalyPush", value: "-1.0", expected: "≥ 0"))
        }
        XCTAssertEqual(DetectorConfiguration.imdad(settings).objective, "ν 0.7, κ 10, push π -1")

        c.ablation.anomalyPush = 2
        let json = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(IMDADConfiguration.self, from: json), c)
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        var ablation = try XCTUnwrap(object["ablation"] as? [String: Any])
        ablation["anomalyPush"] = nil
        object["ablation"] = ablation
        XCTAssertEqual(try JSONDecoder().decode(IMDADConfiguration.self, from: try JSONSerialization.data(withJSONObject: object))
                           .ablation.anomalyPush, 0)
        // A file written before the switches had their own object holds them beside ν and κ.
        var flat = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        flat["ablation"] = nil
        flat["anomalyPush"] = 2
        flat["centerLearningRateScale"] = 0.1
        let legacy = try JSONDecoder().decode(IMDADConfiguration.self, from: try JSONSerialization.data(withJSONObject: flat))
        XCTAssertEqual(legacy.ablation.anomalyPush, 2)
        XCTAssertEqual(legacy.ablation.centerLearningRateScale, 0.1)
    }

    /// The refit radius leaves exactly ⌊p·n⌋ normals outside when the distances are distinct, never
    /// more with ties, and is one of the distances (or 0).
    func testRadiusForAContaminationFlagsThatShare() {
        var rng = RandomGenerator(seed: 3)
        for trial in 0..<40 {
            let n = 1 + trial * 7
            var d = (0..<n).map { _ in Float(rng.nextUnitDouble() * 4) }
            if trial % 4 == 3 { d = d.map { ($0 * 2).rounded() / 2 } }   // ties
            let p: Float = [0.01, 0.05, 0.1, 0.3, 1][trial % 5]
            let r = radiusSquared(flagging: p, normalDistances: d)
            let allowed = Int((Double(p) * Double(n)).rounded(.down))
            let outside = d.filter { $0 > r }.count
            XCTAssertLessThanOrEqual(outside, allowed, "trial \(trial)")
            if trial % 4 != 3 && allowed < n { XCTAssertEqual(outside, allowed, "trial \(trial)") }
            XCTAssertTrue(r == 0 || d.contains(r), "trial \(trial)")
            // The smallest such radius: the next smaller distance leaves more outside.
            if let below = d.filter({ $0 < r }).max() { XCTAssertGreaterThan(d.filter { $0 > below }.count, allowed) }
        }
    }

    /// `--radius-nu`: the scores shift by one constant (same ranking), and `s > 0` now flags about
    /// ν_R of the training normals instead of ν.
    func testRadiusRefitKeepsTheRankingAndMovesTheThreshold() throws {
        let (train, test, _) = try syntheticData()
        var s = quickIMDAD(epochs: 20)
        s.nu = 0.7
        s.radiusNu = nil   // R² as trained
        var rng = RandomGenerator(seed: 2)
        let plain = try IMDAD.fit(s, data: train, using: &rng)
        s.radiusNu = 0.1
        var rng2 = RandomGenerator(seed: 2)
        let refit = try IMDAD.fit(s, data: train, using: &rng2)
        XCTAssertEqual(plain.sphere.center, refit.sphere.center)
        XCTAssertGreaterThan(refit.sphere.radiusSquared, plain.sphere.radiusSquared)
        let shift = refit.sphere.radiusSquared - plain.sphere.radiusSquared
        for (p, r) in zip(plain.scores(test), refit.scores(test)) { XCTAssertEqual(p - shift, r, accuracy: 1e-3 * max(1, abs(p))) }
        // Strictly `s > 0`, as the model flags: the refit's guard keeps the normal on the sphere
        // inside (without it, 61 of 600 here on the Cooperlake kernels, that normal at +3e-8).
        func outsideFraction(_ model: IMDAD) -> Double {
            let scores = model.scores(train.features)
            return Double(train.normalRows.filter { scores[$0] > 0 }.count) / Double(train.normalRows.count)
        }
        XCTAssertGreaterThan(outsideFraction(plain), 0.5)
        XCTAssertLessThanOrEqual(outsideFraction(refit), 0.1 + 1e-9)
        XCTAssertGreaterThan(outsideFraction(refit), 0.05)
        // bad ν_R is refused
        s.radiusNu = 0
        XCTAssertThrowsError(try IMDAD.fit(s, data: train, using: &rng2)) {
            XCTAssertEqual($0 as? DetectorError, .invalidParameter(name: "radiusNu", value: "0.0", expected: "in (0, 1]"))
        }
    }

    /// The defaults are the objective study's (ν 0.7, κ 10, R² refit at 0.1), and an unset ν leaves
    /// soft-boundary Deep SVDD at its own 0.1.
    func testDefaultsAreTheStudysAndSoftBoundaryKeepsItsNu() throws {
        let (train, _, _) = try syntheticData()
        var rng = RandomGenerator(seed: 1)
        guard case .imdad(let m) = try fitDetector(quick(.imdad, epochs: 2), data: train, using: &rng),
              case .hypersphere(let soft) = try fitDetector(quick(.deepSVDDSoftBoundary, epochs: 2), data: train, using: &rng)
        else { return XCTFail("unexpected detector kinds") }
        XCTAssertEqual(m.configuration.nu, 0.7)
        XCTAssertEqual(m.configuration.kappa, 10)
        XCTAssertEqual(m.configuration.radiusNu, 0.1)
        XCTAssertEqual(soft.configuration.method, .deepSVDDSoftBoundary(nu: 0.1, warmUpEpochs: 10))
    }
}
