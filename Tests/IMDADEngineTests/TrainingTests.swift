// Optimizers, schedules, learning a non-linear problem, and bit-identical reruns.
import XCTest
@testable import IMDADEngine

final class TrainingTests: XCTestCase {
    func testAdamMatchesHandComputedSteps() {
        // p = 1, g = 2 constant, lr 0.1, λ = 0.5: g' = g + λp
        var params = Parameters([ParameterSpec("p", Tensor([1]))])
        var adam = Adam(learningRate: 0.1, weightDecay: 0.5)
        adam.update(&params, gradients: [Tensor([2])])
        // step 1: g' = 2.5, m = 0.25, v = 0.00625; m̂ = 2.5, v̂ = 6.25 → p = 1 − 0.1·2.5/(2.5 + 1e-8)
        XCTAssertEqual(params.values[0].scalars[0], 0.9, accuracy: 1e-6)
        adam.update(&params, gradients: [Tensor([2])])
        // step 2 with p = 0.9: g' = 2.45
        let g1 = 2.5, g2 = 2.45
        let m = 0.9 * 0.1 * g1 + 0.1 * g2, v = 0.999 * 0.001 * g1 * g1 + 0.001 * g2 * g2
        let expected = 0.9 - 0.1 / (1 - 0.81) * m / ((v).squareRoot() / (1 - 0.998001).squareRoot() + 1e-8)
        XCTAssertEqual(Double(params.values[0].scalars[0]), expected, accuracy: 1e-5)
    }

    func testParameterGroupsSetDecayAndRate() {
        var params = Parameters([ParameterSpec("enc.w", Tensor([1])), ParameterSpec("sphere.b", Tensor([1]))])
        var sgd = SGD(learningRate: 0.1, weightDecay: 1, groups: [ParameterGroup(prefix: "sphere.", learningRateScale: 10, weightDecay: 0)])
        sgd.update(&params, gradients: [Tensor([1]), Tensor([1])])
        XCTAssertEqual(params.values[0].scalars[0], 1 - 0.1 * 2, accuracy: 1e-6)   // decayed, base rate
        XCTAssertEqual(params.values[1].scalars[0], 1 - 1.0 * 1, accuracy: 1e-6)   // no decay, 10× rate
    }

    func testSGDMomentum() {
        var params = Parameters([ParameterSpec("p", Tensor([0]))])
        var sgd = SGD(learningRate: 1, momentum: 0.5)
        sgd.update(&params, gradients: [Tensor([1])])  // b = 1 → p = −1
        sgd.update(&params, gradients: [Tensor([1])])  // b = 1.5 → p = −2.5
        XCTAssertEqual(params.values[0].scalars[0], -2.5)
    }

    func testMultiStepSchedule() {
        let s = MultiStepSchedule(base: 1e-3, milestones: [50, 100], gamma: 0.1)
        XCTAssertEqual(s.learningRate(epoch: 49), 1e-3)
        XCTAssertEqual(s.learningRate(epoch: 50), 1e-4, accuracy: 1e-10)
        XCTAssertEqual(s.learningRate(epoch: 120), 1e-5, accuracy: 1e-11)
    }

    /// Two interleaved spirals: not linearly separable.
    func spirals(_ n: Int, _ rng: inout RandomGenerator) -> (Tensor, [Int]) {
        var x = [Float](), y = [Int]()
        for i in 0..<n {
            let label = i % 2, t = Float(i / 2) / Float(n / 2) * 3 * .pi
            let r = 0.2 + t / (3 * .pi)
            let a = t + Float(label) * .pi
            x += [r * cos(a) + rng.uniform(-0.02, 0.02), r * sin(a) + rng.uniform(-0.02, 0.02)]
            y.append(label)
        }
        return (Tensor(shape: [n, 2], scalars: x), y)
    }

    /// Trains a small MLP with a logistic loss; returns the final parameters and the accuracy.
    func trainSpiralClassifier(seed: UInt64) -> (Parameters, Double) {
        var rng = RandomGenerator(seed: seed)
        let (x, y) = spirals(400, &rng)
        var net = Network(Sequential([Linear(2, 64), BatchNorm(64), ReLU(), Linear(64, 64), ReLU(), Linear(64, 1)]), using: &rng)
        var adam = Adam(learningRate: 0.01)
        let target = Tensor(shape: [400, 1], scalars: y.map(Float.init))
        for _ in 0..<300 {
            let perm = rng.permutation(400)
            for b in 0..<4 {
                let idx = Array(perm[(b * 100)..<((b + 1) * 100)])
                let tape = Tape()
                let bound = net.bind(on: tape, differentiable: true)
                let (logit, updates) = net.forward(tape.constant(x.rows(at: idx)), bound: bound, mode: .training)
                // binary cross-entropy with logits: softplus(z) − y·z
                let t = tape.constant(target.rows(at: idx))
                let loss = (logit.softplus() - t * logit).mean()
                tape.backward(from: loss)
                adam.update(&net.parameters, gradients: net.gradients(on: tape, bound: bound))
                net.apply(updates)
            }
        }
        let out = net.infer(x)
        let correct = zip(out.scalars, y).filter { ($0 > 0 ? 1 : 0) == $1 }.count
        return (net.parameters, Double(correct) / 400)
    }

    func testSmallNetworkLearnsTwoSpirals() {
        let (_, accuracy) = trainSpiralClassifier(seed: 1)
        XCTAssertGreaterThan(accuracy, 0.97)
    }

    /// A row's inference output does not depend on how the data set is split into calls, as
    /// long as the pieces start at multiples of the batch size (what `imdad score` does with its
    /// chunks): bit-identical outputs for the whole set and for pieces of 1, 2 and 1 batches plus
    /// a padded remainder.
    func testInferenceDoesNotDependOnBatchAlignedSplits() {
        var rng = RandomGenerator(seed: 4)
        let net = Network(Sequential([Linear(37, 64), BatchNorm(64), LeakyReLU(slope: 0.01),
                                      Linear(64, 16), LeakyReLU(slope: 0.01), Linear(16, 3)]),
                          using: &rng)
        let b = Network.inferenceBatchSize, n = 4 * b + 100
        let x = Tensor(shape: [n, 37], scalars: (0..<(n * 37)).map { _ in rng.nextUnitFloat() * 4 - 2 })
        let whole = net.infer(x)
        var pieces: [Tensor] = []
        var start = 0
        for size in [b, 2 * b, b, 100] {
            pieces.append(net.infer(x.rows(start..<(start + size))))
            start += size
        }
        XCTAssertEqual(start, n)
        XCTAssertEqual(Tensor.concatenateRows(pieces).scalars.map(\.bitPattern), whole.scalars.map(\.bitPattern))
        // padding rows do not leak into the output
        XCTAssertEqual(net.infer(x.rows(0..<5)).shape, [5, 3])
        XCTAssertEqual(net.infer(x.rows(0..<5)).scalars.map(\.bitPattern), whole.rows(0..<5).scalars.map(\.bitPattern))
    }

    /// Image rows: a large inference batch is cut to ``Network/inferenceBatch(_:rowSize:)`` rows (a
    /// divisor of it), the pieces run side by side, and the output is bit-identical on one and two
    /// threads and to a call that asks for the smaller batch itself.
    func testLargeImageBatchesAreCutAndIdenticalOnOneAndTwoThreads() {
        let before = BLAS.threadCount
        defer { BLAS.setThreadCount(before) }
        var rng = RandomGenerator(seed: 6)
        let net = Network(Sequential([Reshape([3, 16, 16]), Conv2d(3, 4, kernelSize: 5, padding: 2, bias: false),
                                      BatchNorm(4, epsilon: 1e-4, affine: false), LeakyReLU(slope: 0.01), MaxPool2d(2),
                                      Flatten(), Linear(4 * 8 * 8, 5)]), using: &rng)
        let rowSize = 3 * 16 * 16, n = 700
        let piece = Network.inferenceBatch(1024, rowSize: rowSize)
        XCTAssertEqual(piece, 256)  // 1,024 rows of 768 values exceed 2¹⁸; 256 rows do not
        XCTAssertEqual(1024 % piece, 0)
        XCTAssertEqual(Network.inferenceBatch(4096, rowSize: 6), 4096)  // narrow rows keep the batch
        XCTAssertEqual(Network.inferenceBatch(24, rowSize: 1 << 20), 16)  // 24 → 32 rows, halved to 16 and no further
        let x = Tensor(shape: [n, rowSize], scalars: (0..<(n * rowSize)).map { _ in rng.uniform(-1, 1) })
        BLAS.setThreadCount(1)
        let one = net.infer(x, batchSize: 1024)
        BLAS.setThreadCount(2)
        let two = net.infer(x, batchSize: 1024)
        let small = net.infer(x, batchSize: piece)
        XCTAssertEqual(one.shape, [n, 5])
        XCTAssertEqual(two.scalars.map(\.bitPattern), one.scalars.map(\.bitPattern))
        XCTAssertEqual(small.scalars.map(\.bitPattern), one.scalars.map(\.bitPattern))
    }

    func testSameSeedGivesBitIdenticalWeights() {
        let (p1, _) = trainSpiralClassifier(seed: 4)
        let (p2, _) = trainSpiralClassifier(seed: 4)
        XCTAssertEqual(p1, p2)
        let (p3, _) = trainSpiralClassifier(seed: 5)
        XCTAssertNotEqual(p1, p3)
    }

    func testRandomGeneratorIsPortableAndUniform() {
        var r = RandomGenerator(seed: 0)
        let first = r.next()
        var r2 = RandomGenerator(seed: 0)
        XCTAssertEqual(first, r2.next())
        var s = RandomGenerator(seed: 42)
        let p = s.permutation(1000)
        XCTAssertEqual(Set(p).count, 1000)
        let mean = (0..<10000).map { _ in Double(s.nextUnitFloat()) }.reduce(0, +) / 10000
        XCTAssertEqual(mean, 0.5, accuracy: 0.02)
        let normals = (0..<10000).map { _ in Double(s.normal()) }
        let nm = normals.reduce(0, +) / 10000
        XCTAssertEqual(nm, 0, accuracy: 0.05)
        XCTAssertEqual(normals.map { ($0 - nm) * ($0 - nm) }.reduce(0, +) / 10000, 1, accuracy: 0.05)
    }
}

final class TapeLifetimeTests: XCTestCase {
    /// A recorded graph with pullbacks must not keep its tape alive (no reference cycle).
    func testTapeIsReleasedAfterUse() {
        weak var weakTape: Tape?
        do {
            let tape = Tape()
            weakTape = tape
            let w = tape.variable(Tensor(shape: [3, 2], repeating: 0.5))
            let x = tape.constant(Tensor(shape: [4, 2], repeating: 1))
            let loss = x.linear(weight: w, bias: nil).relu().squaredNorm().sum()
            tape.backward(from: loss)
            XCTAssertEqual(tape.gradient(of: w).shape, [3, 2])
            _ = tape.constant(Tensor([1])) * w.sum()  // recorded but never back-propagated
        }
        XCTAssertNil(weakTape)
    }
}
