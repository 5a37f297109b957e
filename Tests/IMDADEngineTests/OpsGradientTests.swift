// Every op's gradient against finite differences.
import XCTest
@testable import IMDADEngine

final class OpsGradientTests: XCTestCase {
    var rng = RandomGenerator(seed: 7)

    func testArithmeticWithBroadcasting() {
        let a = randomTensor([3, 4], &rng), b = randomTensor([4], &rng), c = randomTensor([3, 1], &rng)
        let pos = randomTensor([3, 4], &rng).map { abs($0) + 0.5 }
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, c]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a, c]) { $0[1] * $0[0] }
        checkGradients([a, pos]) { $0[0] / $0[1] }
        checkGradients([a, Tensor(2.5)]) { $0[0] / $0[1] }
        checkGradients([a]) { ($0[0] * 3 + 1) - 2 * $0[0].squared() }
        checkGradients([a]) { 1 - (-$0[0]) / 4 }
        checkGradients([pos]) { 3 / $0[0] }
    }

    func testActivations() {
        let x = randomTensor([5, 6], &rng, scale: 2)
        checkGradients([x]) { $0[0].relu() }
        checkGradients([x]) { $0[0].leakyRelu(slope: 0.01) }
        checkGradients([x]) { $0[0].clamped(min: 0.3) }
        checkGradients([x]) { $0[0].sigmoid() }
        checkGradients([x]) { $0[0].softplus() }
        checkGradients([x]) { $0[0].softplus(beta: 5) }
        checkGradients([x]) { $0[0].exp() }
        checkGradients([x.map { abs($0) + 0.2 }]) { $0[0].sqrt() }
    }

    func testReductions() {
        let x = randomTensor([2, 3, 4], &rng)
        checkGradients([x]) { $0[0].sum() }
        checkGradients([x]) { $0[0].mean() }
        checkGradients([x]) { $0[0].sum(axis: 0) }
        checkGradients([x]) { $0[0].sum(axis: 1) }
        checkGradients([x]) { $0[0].mean(axis: -1) }
        checkGradients([randomTensor([5, 3], &rng)]) { $0[0].squaredNorm() }
    }

    func testMatmulAndLinear() {
        let a = randomTensor([4, 3], &rng), b = randomTensor([3, 5], &rng)
        checkGradients([a, b]) { $0[0].matmul($0[1]) }
        let x = randomTensor([6, 3], &rng), w = randomTensor([2, 3], &rng), bias = randomTensor([2], &rng)
        checkGradients([x, w, bias]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        checkGradients([x, w]) { $0[0].linear(weight: $0[1], bias: nil) }
    }

    func testShapeOps() {
        let x = randomTensor([4, 2, 3], &rng)
        checkGradients([x]) { $0[0].reshaped([4, 6]) * $0[0].flattened() }
        checkGradients([x]) { $0[0].rows(1..<3) }
    }

    func testConvolution5x5Padding2() {
        let x = randomTensor([2, 2, 6, 6], &rng), w = randomTensor([3, 2, 5, 5], &rng, scale: 0.3), b = randomTensor([3], &rng)
        checkGradients([x, w, b]) { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 1, padding: 2) }
        // Rows of 14 and 12 (col2im's SIMD blocks of 8, then 4, then single floats) and of 3.
        let wide = randomTensor([1, 2, 3, 14], &rng), narrow = randomTensor([2, 1, 4, 3], &rng)
        let w2 = randomTensor([2, 2, 5, 5], &rng, scale: 0.3), w3 = randomTensor([2, 1, 3, 3], &rng, scale: 0.5)
        checkGradients([wide, w2]) { $0[0].conv2d(weight: $0[1], bias: nil, stride: 1, padding: 2) }
        checkGradients([wide, w2]) { $0[0].conv2d(weight: $0[1], bias: nil, stride: 1, padding: 1) }
        checkGradients([narrow, w3]) { $0[0].conv2d(weight: $0[1], bias: nil, stride: 1, padding: 1) }
    }

    func testConvolutionGeneralGeometry() {
        let x = randomTensor([2, 3, 7, 5], &rng), w = randomTensor([2, 3, 3, 3], &rng, scale: 0.5)
        checkGradients([x, w]) { $0[0].conv2d(weight: $0[1], bias: nil, stride: 2, padding: 1) }
        let w1 = randomTensor([4, 3, 1, 1], &rng)
        checkGradients([x, w1]) { $0[0].conv2d(weight: $0[1], bias: nil, stride: 1, padding: 0) }
    }

    func testMaxPool() {
        let x = randomTensor([2, 3, 4, 6], &rng)
        checkGradients([x]) { $0[0].maxPool2d(size: 2) }
        checkGradients([randomTensor([1, 1, 5, 5], &rng)]) { $0[0].maxPool2d(size: 2) }
    }

    func testUpsample() {
        checkGradients([randomTensor([2, 3, 3, 4], &rng)]) { $0[0].upsampled(factor: 2) }
        checkGradients([randomTensor([1, 2, 2, 2], &rng)]) { $0[0].upsampled(factor: 3) }
    }

    func testBatchNormTrainingAndInference() {
        let stats1 = BatchNormStatistics(mean: randomTensor([3], &rng), variance: randomTensor([3], &rng).map { abs($0) + 0.5 })
        let x1 = randomTensor([5, 3], &rng), g1 = randomTensor([3], &rng), b1 = randomTensor([3], &rng)
        for training in [true, false] {
            checkGradients([x1, g1, b1]) {
                $0[0].batchNorm(statistics: stats1, weight: $0[1], bias: $0[2], training: training, epsilon: 1e-4).output
            }
            checkGradients([x1]) {
                $0[0].batchNorm(statistics: stats1, weight: nil, bias: nil, training: training, epsilon: 1e-4).output
            }
        }
        let stats2 = BatchNormStatistics(mean: Tensor.zeros([2]), variance: Tensor(shape: [2], repeating: 1))
        let x2 = randomTensor([3, 2, 3, 3], &rng)
        checkGradients([x2, randomTensor([2], &rng), randomTensor([2], &rng)]) {
            $0[0].batchNorm(statistics: stats2, weight: $0[1], bias: $0[2], training: true).output
        }
    }

    /// The fused BN (no affine) → LeakyReLU → max-pool op gives the unfused layers' output value
    /// for value and the same running statistics, gradients that agree with theirs, and gradients
    /// that pass the finite-difference check; with odd sizes (floor mode) and both modes.
    func testPooledBatchNormLeakyReLUIsTheUnfusedLayers() {
        let stats = BatchNormStatistics(mean: randomTensor([3], &rng), variance: randomTensor([3], &rng).map { abs($0) + 0.5 })
        for shape in [[4, 3, 6, 6], [2, 3, 5, 7]] {
            let x = randomTensor(shape, &rng, scale: 2)
            for training in [true, false] {
                let tape = Tape()
                let a = tape.variable(x), b = tape.variable(x)
                let (fused, fusedStats) = a.pooledBatchNormLeakyReLU(statistics: stats, training: training, epsilon: 1e-4, slope: 0.01)
                let (normalized, plainStats) = b.batchNorm(statistics: stats, weight: nil, bias: nil, training: training, epsilon: 1e-4)
                let plain = normalized.leakyRelu(slope: 0.01).maxPool2d(size: 2)
                XCTAssertEqual(fused.value, plain.value)
                XCTAssertEqual(fusedStats, plainStats)
                let r = tape.constant(randomTensor(fused.shape, &rng))
                tape.backward(from: (fused * r).sum() + (plain * r).sum())
                let ga = tape.gradient(of: a), gb = tape.gradient(of: b)
                for i in 0..<x.count {
                    XCTAssertEqual(ga.scalars[i], gb.scalars[i], accuracy: 1e-5 * max(1, abs(gb.scalars[i])), "element \(i)")
                }
                checkGradients([x]) {
                    $0[0].pooledBatchNormLeakyReLU(statistics: stats, training: training, epsilon: 1e-4, slope: 0.01).output
                }
            }
        }
    }

    /// A LeNet block (conv, BN without affine, LeakyReLU, pool), which ``Sequential`` runs through
    /// the fused op: its gradients with respect to the input and every weight, in training mode
    /// (inference is checked on the op itself above). Step h = 1e-3 over 8 samples: with 4e-3 over
    /// 4 samples the differences of the conv weights disagreed by up to 0.08, fused or not (and
    /// with 1e-2 a conv weight's differences at h and h/2 agreed while both crossed kinks, off by
    /// 2.4 %: a kink artifact, gone at 1e-3). The small step costs Float noise of about 2e-4 in
    /// the differences, hence atol 5e-4 (a 1 % error is still caught on every element above 0.07).
    func testFusedBlockInASequentialNetwork() {
        var r = RandomGenerator(seed: 4)
        let body = Sequential([Reshape([1, 6, 6]), Conv2d(1, 3, kernelSize: 5, padding: 2, bias: false),
                               BatchNorm(3, epsilon: 1e-4, affine: false), LeakyReLU(slope: 0.01), MaxPool2d(2), Flatten(),
                               Linear(27, 2, bias: false)])
        let net = Network(body, using: &r)
        let x = randomTensor([8, 36], &rng)
        checkGradients([x] + net.parameters.values, h: 1e-3, atol: 5e-4) { vars in
            net.forward(vars[0], bound: Array(vars.dropFirst()), mode: .training).output
        }
    }

    func testLayersInASequentialNetwork() {
        var r = RandomGenerator(seed: 3)
        let body = Sequential([Reshape([1, 6, 6]), Conv2d(1, 2, kernelSize: 5, padding: 2, bias: true),
                               BatchNorm(2, epsilon: 1e-4, affine: true), LeakyReLU(), MaxPool2d(2), Flatten(),
                               Linear(18, 4), BatchNorm(4, affine: false), Sigmoid(), Linear(4, 2, bias: false), ReLU()])
        let net = Network(body, using: &r)
        let x = randomTensor([4, 36], &rng)
        // Gradients with respect to every parameter and to the input, in training mode.
        checkGradients([x] + net.parameters.values) { vars in
            net.forward(vars[0], bound: Array(vars.dropFirst()), mode: .training).output
        }
    }
}
