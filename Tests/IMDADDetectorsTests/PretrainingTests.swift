// Autoencoder pretraining: the decoders invert the encoders, the autoencoder learns, and the
// detectors start from its encoder.
import Foundation
import XCTest
@testable import IMDADDetectors
import IMDADEngine

final class PretrainingTests: XCTestCase {
    /// Every decoder maps the representation back to the input size, in (0, 1).
    func testDecodersReachTheInputSize() {
        for architecture in [smallMLP, .tabular(inputs: 274), .mnistLeNet, .fashionMNISTLeNet, .cifar10LeNet] {
            var rng = RandomGenerator(seed: 1)
            let ae = Network(Sequential([architecture.layers(bias: false), architecture.decoderLayers(bias: false)]), using: &rng)
            let x = Tensor(shape: [3, architecture.inputSize],
                           scalars: (0..<(3 * architecture.inputSize)).map { _ in rng.uniform(0, 1) })
            let y = ae.infer(x, batchSize: 16)
            XCTAssertEqual(y.shape, [3, architecture.inputSize], architecture.name)
            XCTAssertTrue(y.scalars.allSatisfy { $0 > 0 && $0 < 1 }, architecture.name)
        }
    }

    /// The reconstruction error falls, and the returned tensors are the trained encoder's.
    func testAutoencoderLearnsAndReturnsItsEncoder() throws {
        let (train, _, _) = try syntheticData()
        var rng = RandomGenerator(seed: 4)
        var t = TrainingConfiguration()
        t.batchSize = 64
        t.milestones = [100]
        let (encoder, log) = try pretrainEncoder(smallMLP, bias: false, rows: train.features,
                                                 configuration: PretrainingConfiguration(epochs: 30, weightDecay: 0),
                                                 training: t, using: &rng, progress: nil)
        XCTAssertEqual(log.count, 30)
        XCTAssertLessThan(log.last!.loss, 0.5 * log.first!.loss, "reconstruction error did not fall")
        var fresh = RandomGenerator(seed: 4)
        let untrained = Network(smallMLP.layers(bias: false), using: &fresh)
        XCTAssertEqual(encoder.names, untrained.parameters.names)
        XCTAssertNotEqual(encoder.values, untrained.parameters.values, "encoder not trained")
    }

    /// IMD-AD and Deep SAD with pretraining: reproducible per seed, different from no pretraining,
    /// and still detecting the synthetic anomalies; the setting survives a configuration round trip
    /// and a configuration without it (older model files) decodes as "no pretraining".
    func testDetectorsStartFromThePretrainedEncoder() throws {
        let (train, test, labels) = try syntheticData()
        func fit(_ kind: MethodKind, pretrain: Int?) throws -> [Float] {
            var s = quick(kind, epochs: 20)
            switch s {
            case .imdad(var c): c.pretraining = pretrain.map { PretrainingConfiguration(epochs: $0) }; s = .imdad(c)
            case .hypersphere(var c): c.pretraining = pretrain.map { PretrainingConfiguration(epochs: $0) }; s = .hypersphere(c)
            case .isolationForest, .devnet: XCTFail("Isolation Forest and DevNet have no encoder to pretrain")
            }
            var rng = RandomGenerator(seed: 7)
            return try fitDetector(s, data: train, using: &rng).detector.scores(test)
        }
        for kind in [MethodKind.imdad, .deepSADBalanced] {
            let a = try fit(kind, pretrain: 10), b = try fit(kind, pretrain: 10), plain = try fit(kind, pretrain: nil)
            XCTAssertEqual(a, b, "\(kind): same seed, different scores")
            XCTAssertNotEqual(a, plain, "\(kind): pretraining changed nothing")
            let auc = try Metrics.auroc(scores: a.map(Double.init), labels: labels)
            XCTAssertGreaterThan(auc, 0.9, "\(kind)")
        }
        var c = IMDADConfiguration(encoder: smallMLP)
        c.pretraining = PretrainingConfiguration(epochs: 12, learningRate: 1e-4)
        let json = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(IMDADConfiguration.self, from: json), c)
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        object["pretraining"] = nil
        XCTAssertNil(try JSONDecoder().decode(IMDADConfiguration.self, from: try JSONSerialization.data(withJSONObject: object))
                         .pretraining)
    }
}
