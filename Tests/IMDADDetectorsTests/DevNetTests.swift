// DevNet: the deviation loss (value and gradient against finite differences), the Gaussian
// reference, training on synthetic data, the scorer's shape, the model file.
import XCTest
@testable import IMDADDetectors
import IMDADData
import IMDADEngine

final class DevNetTests: XCTestCase {
    /// The loss in Double straight from the paper's formula, the ½/½ weighting of the two terms.
    func referenceLoss(_ phi: [Double], k: Int, a: Double, mu: Double, sigma: Double) -> Double {
        let u = phi.count - k
        let dev = phi.map { ($0 - mu) / sigma }
        let inlier = dev[..<u].map { abs($0) }.reduce(0, +) / Double(u)
        let outlier = dev[u...].map { max(0, a - $0) }.reduce(0, +) / Double(k)
        return 0.5 * inlier + 0.5 * outlier
    }

    func loss(_ phi: [Float], k: Int, mu: Float, sigma: Float) -> (value: Double, gradient: [Float]) {
        let tape = Tape()
        let v = tape.variable(Tensor(shape: [phi.count, 1], scalars: phi))
        let l = deviationLoss(v, anomalyCount: k, margin: 5, referenceMean: mu, referenceStd: sigma)
        tape.backward(from: l)
        return (Double(l.value.scalar), tape.gradient(of: v).scalars)
    }

    func testDeviationLossValueAndGradientMatchFiniteDifferences() {
        // Unlabeled rows with dev on both sides of 0; anomalies below, inside and beyond the margin
        // (one at dev ≈ 6.3 > a: no gradient). No value within a step of a kink.
        let phi: [Float] = [-1.3, -0.4, 0.25, 0.9, 2.2, 3.1, -0.7, 1.6, 4.2, 6.3]
        let k = 4, mu: Float = 0.02, sigma: Float = 0.97
        let (value, gradient) = loss(phi, k: k, mu: mu, sigma: sigma)
        let expected = referenceLoss(phi.map(Double.init), k: k, a: 5, mu: Double(mu), sigma: Double(sigma))
        XCTAssertEqual(value, expected, accuracy: 1e-6 * max(1, abs(expected)))
        // Central differences of the Float loss, taken in Double with the step actually taken.
        let h: Float = 1e-2
        for i in phi.indices {
            var plus = phi, minus = phi
            plus[i] += h; minus[i] -= h
            let numeric = (loss(plus, k: k, mu: mu, sigma: sigma).value - loss(minus, k: k, mu: mu, sigma: sigma).value)
                / Double(plus[i] - minus[i])
            XCTAssertEqual(Double(gradient[i]), numeric, accuracy: 1e-3 * max(abs(numeric), 1e-2), "∂L/∂φ[\(i)]")
        }
        // The closed form: ±1/(2·6·σ) for unlabeled rows, −1/(2·4·σ) for anomalies below the margin, 0 beyond.
        let s = Double(sigma)
        XCTAssertEqual(Double(gradient[0]), -1 / (12 * s), accuracy: 1e-6)
        XCTAssertEqual(Double(gradient[5]), 1 / (12 * s), accuracy: 1e-6)
        XCTAssertEqual(Double(gradient[6]), -1 / (8 * s), accuracy: 1e-6)
        XCTAssertEqual(gradient[9], 0)
    }

    func testBatchWithHalfAnomaliesIsThePlainMean() {
        let phi: [Float] = [0.3, -0.8, 1.4, 2.0]
        let (value, _) = loss(phi, k: 2, mu: 0, sigma: 1)
        // (1 − y)|dev| + y·max(0, a − dev), averaged over the four rows.
        XCTAssertEqual(value, (0.3 + 0.8 + 3.6 + 3.0) / 4, accuracy: 1e-6)
    }

    func testReferenceIsStandardNormal() {
        var rng = RandomGenerator(seed: 5)
        let (mean, std) = deviationReference(count: 5000, using: &rng)
        XCTAssertEqual(mean, 0, accuracy: 0.05)   // σ/√ℓ ≈ 0.014
        XCTAssertEqual(std, 1, accuracy: 0.05)
        let again = RandomGenerator(seed: 5)
        var r2 = again
        XCTAssertEqual(deviationReference(count: 5000, using: &r2).mean, mean)
    }

    func testTrainingSeparatesAnomaliesAndIsDeterministic() throws {
        let (train, test, labels) = try syntheticData()
        var rng = RandomGenerator(seed: 4)
        guard case .devnet(let c) = quick(.devnet, epochs: 20) else { return XCTFail("DevNet's defaults") }
        XCTAssertEqual(c.encoder, .mlp(input: 6, hidden: [100, 50], representation: 1))
        let initial = Network(DevNet.body(c), using: &rng)
        rng = RandomGenerator(seed: 4)
        let model = try DevNet.fit(c, data: train, using: &rng)
        XCTAssertNotEqual(model.network.parameters.values, initial.parameters.values, "parameters did not move")
        XCTAssertTrue(model.network.parameters.names.allSatisfy { $0.hasSuffix("weight") }, "DeepOD's scorer has no bias")
        let scores = model.scores(test)
        XCTAssertGreaterThan(Set(scores).count, scores.count / 2)
        XCTAssertGreaterThan(try Metrics.auroc(scores: scores.map(Double.init), labels: labels), 0.95)
        // Labeled anomalies end up far above the unlabeled rows' scores (dev ≥ a is the target).
        let anomalyMean = model.scores(train.anomalies!).reduce(0, +) / Float(train.anomalyRows.count)
        let normalMean = model.scores(train.normals).reduce(0, +) / Float(train.normalRows.count)
        XCTAssertGreaterThan(anomalyMean - normalMean, 2)
        // The threshold flags about the contamination (10 %) of the training normals.
        let flagged = Double(model.flags(model.scores(train.normals)).filter { $0 }.count) / Double(train.normalRows.count)
        XCTAssertEqual(flagged, 0.1, accuracy: 0.02)
        var rng2 = RandomGenerator(seed: 4)
        XCTAssertEqual(try DevNet.fit(c, data: train, using: &rng2).scores(test), scores)
    }

    func testNeedsLabeledAnomaliesAndValidatesItsParameters() throws {
        let (train, _, _) = try syntheticData(normals: 50, labeled: 0)
        var rng = RandomGenerator(seed: 0)
        XCTAssertThrowsError(try fitDetector(quick(.devnet, epochs: 1), data: train, using: &rng)) {
            XCTAssertEqual($0 as? DetectorError, .noLabeledAnomalies(method: "DevNet"))
        }
        var c = DevNetConfiguration(encoder: smallMLP)
        c.margin = 0
        XCTAssertThrowsError(try c.validate()) {
            guard case .invalidParameter(let name, _, _) = $0 as? DetectorError else { return XCTFail("\($0)") }
            XCTAssertEqual(name, "margin")
        }
        c = DevNetConfiguration(encoder: smallMLP)
        c.referenceSize = 1
        XCTAssertThrowsError(try c.validate())
    }

    func testImageScorerGivesOneScorePerImage() {
        let c = DevNetConfiguration(encoder: .mnistLeNet)
        var rng = RandomGenerator(seed: 1)
        let net = Network(DevNet.body(c), using: &rng)
        let x = Tensor(shape: [3, 784], scalars: (0..<(3 * 784)).map { _ in rng.nextUnitFloat() })
        XCTAssertEqual(net.infer(x).shape, [3, 1])
        XCTAssertEqual(c.training.learningRate, 1e-4)
    }

    func testModelFileRoundTrip() throws {
        let (train, test, _) = try syntheticData(normals: 200)
        var rng = RandomGenerator(seed: 3)
        let fitted = try fitDetector(quick(.devnet, epochs: 3), data: train, using: &rng)
        var model = TrainedModel(fitted: fitted, method: .devnet, seed: 3, featureNames: (0..<6).map { "f\($0)" }, scaler: nil)
        model.recordTraining(train)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("devnet-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.imdad")
        try model.write(to: url, overwrite: false)
        let loaded = try TrainedModel.read(contentsOf: url)
        XCTAssertEqual(loaded.metadata.method, .devnet)
        guard case .devnet(let d) = loaded.fitted else { return XCTFail("not a DevNet model") }
        XCTAssertEqual(d.configuration, DevNetConfiguration(encoder: smallMLP).withTraining(quick(.devnet, epochs: 3).training!))
        XCTAssertEqual(loaded.detector.scores(test), model.detector.scores(test))
        XCTAssertEqual(loaded.detector.threshold, model.detector.threshold)
        XCTAssertEqual(loaded.metadata.training, model.metadata.training)
    }
}

private extension DevNetConfiguration {
    func withTraining(_ t: TrainingConfiguration) -> DevNetConfiguration { var c = self; c.training = t; return c }
}
