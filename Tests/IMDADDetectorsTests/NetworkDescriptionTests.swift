// The model file's description of the network (docs/model-format.md): derived from the layers
// themselves, naming exactly the file's tensors, round-tripping, optional for older files.
import XCTest
@testable import IMDADDetectors
import IMDADData
import IMDADEngine

final class NetworkDescriptionTests: XCTestCase {
    func model(_ kind: MethodKind) throws -> TrainedModel {
        let (train, _, _) = try syntheticData(normals: 120)
        var rng = RandomGenerator(seed: 3)
        let fitted = try fitDetector(quick(kind, epochs: 1), data: train, using: &rng)
        return TrainedModel(fitted: fitted, method: kind, seed: 3, featureNames: (0..<6).map { "f\($0)" }, scaler: nil)
    }

    func testDescriptionNamesExactlyTheNetworksTensorsInOrder() throws {
        for kind in MethodKind.allCases {
            let m = try model(kind)
            let network: Network
            switch m.fitted {
            case .imdad(let d): network = d.network
            case .hypersphere(let d): network = d.network
            case .devnet(let d): network = d.network
            case .isolationForest:
                XCTAssertNil(m.metadata.network)
                XCTAssertEqual(m.metadata.scoreRule?.kind, .isolationForest)
                continue
            }
            let described = try XCTUnwrap(m.metadata.network, "\(kind)")
            // Every tensor of the network, once, in the order the layers own them.
            let order: [String] = described.flatMap { d -> [String] in
                let t = d.tensors ?? [:]
                return ["weight", "bias", "running_mean", "running_var", "w", "b"].compactMap { t[$0] }
            }
            XCTAssertEqual(order, network.parameters.names, "\(kind)")
            // Shapes agree with the described sizes.
            for d in described {
                let shape = { (role: String) in
                    network.parameters.values[network.parameters.names.firstIndex(of: d.tensors![role]!)!].shape
                }
                switch d.kind {
                case .linear: XCTAssertEqual(shape("weight"), [d.outputs!, d.inputs!])
                case .batchNorm: XCTAssertEqual(shape("running_var"), [d.channels!])
                case .hypersphere: XCTAssertEqual(shape("w"), [d.dimension!])
                default: break
                }
            }
        }
    }

    func testMLPAndLeNetDescriptionsCarryTheirConstants() {
        let mlp = EncoderArchitecture.mlp(input: 6, hidden: [32, 16], representation: 4).layers(bias: false).describe()
        XCTAssertEqual(mlp.map(\.kind), [.linear, .batchNorm, .leakyReLU, .linear, .batchNorm, .leakyReLU, .linear])
        XCTAssertEqual(mlp[1].epsilon, 1e-4)
        XCTAssertEqual(mlp[1].momentum, 0.1)
        XCTAssertEqual(mlp[1].affine, false)
        XCTAssertEqual(mlp[1].tensors, ["running_mean": "1.running_mean", "running_var": "1.running_var"])
        XCTAssertEqual(mlp[2].slope, 0.01)
        XCTAssertEqual(mlp[0].tensors, ["weight": "0.weight"])
        XCTAssertEqual(mlp[0].bias, false)

        var c = IMDADConfiguration(encoder: .mnistLeNet)
        c.ablation.encoderBias = true
        let lenet = IMDAD.body(c).describe()
        XCTAssertEqual(lenet.map(\.kind), [.reshape, .conv2d, .batchNorm, .leakyReLU, .maxPool2d, .conv2d, .batchNorm,
                                           .leakyReLU, .maxPool2d, .flatten, .linear, .hypersphere])
        XCTAssertEqual(lenet[0].shape, [1, 28, 28])
        XCTAssertEqual(lenet[1].kernelSize, 5)
        XCTAssertEqual(lenet[1].padding, 2)
        XCTAssertEqual(lenet[1].stride, 1)
        XCTAssertEqual(lenet[1].tensors, ["weight": "encoder.1.weight", "bias": "encoder.1.bias"])
        XCTAssertEqual(lenet[4].size, 2)
        XCTAssertEqual(lenet[11].tensors, ["w": "sphere.w", "b": "sphere.b"])
    }

    func testDescriptionRoundTripsThroughTheFile() throws {
        for kind in [MethodKind.imdad, .deepSADBalanced, .isolationForest] {
            let m = try model(kind)
            let loaded = try TrainedModel.decode(try m.encoded(), file: "m.imdad")
            XCTAssertEqual(loaded.metadata.network, m.metadata.network, "\(kind)")
            XCTAssertEqual(loaded.metadata.scoreRule, m.metadata.scoreRule, "\(kind)")
        }
        // The JSON spells the constants plainly.
        let json = String(decoding: try JSONEncoder().encode(try model(.imdad).metadata), as: UTF8.self)
        for needle in ["\"kind\":\"batchnorm\"", "\"epsilon\":0.0001", "\"slope\":0.01", "\"kind\":\"sphereLayer\"", "\"sphere.w\""] {
            XCTAssertTrue(json.contains(needle), "metadata JSON lacks \(needle)")
        }
    }

    /// Files written before the description was stored decode, with the description absent.
    func testOlderFilesWithoutTheDescriptionStillDecode() throws {
        var m = try model(.deepSVDD)
        m.metadata.network = nil
        m.metadata.scoreRule = nil
        let loaded = try TrainedModel.decode(try m.encoded(), file: "old.imdad")
        XCTAssertNil(loaded.metadata.network)
        XCTAssertNil(loaded.metadata.scoreRule)
        XCTAssertEqual(loaded.metadata.formatVersion, 2)
    }
}
