// Small synthetic data sets for detector tests.
import IMDADDetectors
import IMDADEngine

/// Normals ~ N(0.5, 0.08²) in `d` dimensions; anomalies shifted by +0.35 in features 1 and 3.
/// Returns training data (`labeled` anomalies with label 1) and a labeled test set.
func syntheticData(normals n: Int = 600, labeled: Int = 12, testNormals: Int = 300, testAnomalies: Int = 40,
                   d: Int = 6, seed: UInt64 = 1) throws -> (train: LabeledData, test: Tensor, testLabels: [Int]) {
    var rng = RandomGenerator(seed: seed)
    func sample(_ anomalous: Bool) -> [Float] {
        (0..<d).map { k in
            let shift: Float = anomalous && (k == 1 || k == 3) ? 0.35 : 0
            return min(1, max(0, 0.5 + 0.08 * rng.normal() + shift))
        }
    }
    var x: [Float] = [], y: [Int] = []
    for _ in 0..<n { x += sample(false); y.append(0) }
    for _ in 0..<labeled { x += sample(true); y.append(1) }
    var xt: [Float] = [], yt: [Int] = []
    for _ in 0..<testNormals { xt += sample(false); yt.append(0) }
    for _ in 0..<testAnomalies { xt += sample(true); yt.append(1) }
    return (try LabeledData(features: Tensor(shape: [n + labeled, d], scalars: x), labels: y),
            Tensor(shape: [testNormals + testAnomalies, d], scalars: xt), yt)
}

/// `kind` at its defaults on `encoder`, trained briefly: `epochs`, batches of 64, lr ÷10 at 30.
func quick(_ kind: MethodKind, epochs: Int = 40, encoder: EncoderArchitecture = smallMLP) -> DetectorConfiguration {
    var c = DetectorConfiguration.defaults(for: kind, encoder: encoder)
    c.training?.epochs = epochs
    c.training?.batchSize = 64
    c.training?.milestones = [30]
    return c
}

/// IMD-AD at its defaults on `encoder`, trained briefly (``quick(_:epochs:encoder:)``).
func quickIMDAD(epochs: Int = 40, encoder: EncoderArchitecture = smallMLP) -> IMDADConfiguration {
    guard case .imdad(let c) = quick(.imdad, epochs: epochs, encoder: encoder) else { preconditionFailure("IMD-AD's defaults") }
    return c
}

let smallMLP = EncoderArchitecture.mlp(input: 6, hidden: [16], representation: 4)
