// The engine's speed per spec §6 encoder (`imdad bench engine`) and of its matrix product. Figures
// for benchmarks, not timed tests: machines are noisy, so compare ratios measured side by side in
// one run (experiments/speed/compare_speed.py runs this beside PyTorch).

import Foundation
import IMDADDetectors
import IMDADEngine

public enum SpeedBenchmark {
    /// The encoders timed, with the iterations per trial that keep each trial near a second.
    public static let encoders: [(encoder: EncoderArchitecture, iterations: Int)] = [
        (.mlp(input: 21, hidden: [32, 16], representation: 8), 1000),
        (.mlp(input: 274, hidden: [128, 64], representation: 32), 1000),
        (.fashionMNISTLeNet, 40), (.mnistLeNet, 100), (.cifar10LeNet, 20),
    ]

    /// The encoders a name filter selects: the one named exactly `filter` alone ("MNIST LeNet", not
    /// also "Fashion-MNIST LeNet"), else those whose name contains it; all of them without a filter.
    public static func encoders(matching filter: String?) -> [(encoder: EncoderArchitecture, iterations: Int)] {
        guard let filter else { return encoders }
        let exact = encoders.filter { $0.encoder.name == filter }
        return exact.isEmpty ? encoders.filter { $0.encoder.name.contains(filter) } : exact
    }

    /// Rows per timed batch.
    public static let batchSize = 128

    /// Median seconds of an IMD-AD training step (forward, objective, backward, Adam) and of a
    /// forward pass on a batch of ``batchSize`` random rows, over `trials × iterations` timings.
    public static func engine(_ enc: EncoderArchitecture, iterations: Int, trials: Int) -> (train: Double, forward: Double) {
        var rng = RandomGenerator(seed: 0)
        let config = IMDADConfiguration(encoder: enc)
        var net = Network(IMDAD.body(config), using: &rng)
        let batch = batchSize, anomalies = 8
        let x = Tensor(shape: [batch, enc.inputSize], scalars: (0..<(batch * enc.inputSize)).map { _ in rng.nextUnitFloat() })
        var adam = Adam(learningRate: 1e-4, weightDecay: 0.5e-6, groups: [ParameterGroup(prefix: "sphere.", weightDecay: 0)])
        let objective = IMDADObjective(config)
        let (wi, bi) = IMDAD.sphereIndices(net)
        func trainStep() {
            net.trainingStep(&adam) { net, tape, bound in
                let (s, updates) = net.forward(tape.constant(x), bound: bound, mode: .training)
                let loss = objective.batchLoss(scores: s, anomalyCount: anomalies, w: bound[wi], b: bound[bi]).loss
                return (loss, updates, ())
            }
        }
        func forward() { _ = net.infer(x, batchSize: batch) }
        func median(_ f: () -> Void) -> Double {
            let clock = ContinuousClock()
            for _ in 0..<max(5, iterations / 5) { f() }
            var times: [Double] = []
            for _ in 0..<(trials * iterations) { times.append(seconds(clock.measure(f))) }
            times.sort()
            return times[times.count / 2]
        }
        return (median(trainStep), median(forward))
    }

    /// Best-of-`repeats` GFLOP/s of a square `n³` product through ``Tensor/matmul``.
    public static func sgemmGFLOPS(n: Int, repeats: Int = 5) -> Double {
        var rng = RandomGenerator(seed: 1)
        let a = Tensor(shape: [n, n], scalars: (0..<(n * n)).map { _ in rng.uniform(-1, 1) })
        let b = Tensor(shape: [n, n], scalars: (0..<(n * n)).map { _ in rng.uniform(-1, 1) })
        _ = Tensor.matmul(a, b)
        var best = Double.infinity
        let clock = ContinuousClock()
        for _ in 0..<repeats {
            let t = clock.measure { _ = Tensor.matmul(a, b) }
            best = min(best, seconds(t))
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
}
