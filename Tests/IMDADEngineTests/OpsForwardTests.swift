// Forward values of ops and layers against hand-computed cases.
import XCTest
@testable import IMDADEngine

final class OpsForwardTests: XCTestCase {
    func value(_ f: (Tape) -> Variable) -> Tensor {
        let tape = Tape()
        return withExtendedLifetime(tape) { f(tape).value }
    }

    func testBroadcastArithmetic() {
        let y = value { t in t.constant(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])) + t.constant(Tensor([10, 20])) }
        XCTAssertEqual(y.scalars, [11, 22, 13, 24])
        let z = value { t in t.constant(Tensor(shape: [2, 1], scalars: [2, 3])) * t.constant(Tensor([1, 10])) }
        XCTAssertEqual(z.shape, [2, 2]); XCTAssertEqual(z.scalars, [2, 20, 3, 30])
    }

    func testActivationsAndReductions() {
        let x = Tensor([-2, -0.5, 0, 1.5])
        XCTAssertEqual(value { $0.constant(x).relu() }.scalars, [0, 0, 0, 1.5])
        XCTAssertEqual(value { $0.constant(x).leakyRelu(slope: 0.1) }.scalars, [-0.2, -0.05, 0, 1.5])
        XCTAssertEqual(value { $0.constant(x).sigmoid() }.scalars[2], 0.5)
        XCTAssertEqual(value { $0.constant(Tensor([0])).softplus() }.scalars[0], Float(log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(value { $0.constant(Tensor([100])).softplus() }.scalars[0], 100, accuracy: 1e-4)
        let m = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(value { $0.constant(m).sum(axis: 0) }.scalars, [5, 7, 9])
        XCTAssertEqual(value { $0.constant(m).mean(axis: 1) }.scalars, [2, 5])
        XCTAssertEqual(value { $0.constant(m).squaredNorm() }.scalars, [14, 77])
        XCTAssertEqual(value { $0.constant(m).sum() }.scalar, 21)
    }

    func testLinearUsesPyTorchLayout() {
        // x (1, 2) · Wᵀ with W (3, 2) + b
        let y = value { t in
            t.constant(Tensor(shape: [1, 2], scalars: [1, 2])).linear(
                weight: t.constant(Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1])), bias: t.constant(Tensor([0.5, 0, -1])))
        }
        XCTAssertEqual(y.scalars, [1.5, 2, 2])
    }

    func testConvolutionByHand() {
        // 1×1×3×3 input, one 3×3 kernel of ones, padding 1: each output sums its 3×3 neighbourhood.
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let w = Tensor(shape: [1, 1, 3, 3], repeating: 1)
        let y = value { t in t.constant(x).conv2d(weight: t.constant(w), bias: t.constant(Tensor([1])), padding: 1) }
        XCTAssertEqual(y.scalars, [13, 22, 17, 28, 46, 34, 25, 40, 29])
        // stride 2, no padding, 2×2 kernel picking the top-left pixel
        let w2 = Tensor(shape: [1, 1, 2, 2], scalars: [1, 0, 0, 0])
        let x4 = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        let y2 = value { t in t.constant(x4).conv2d(weight: t.constant(w2), bias: nil, stride: 2) }
        XCTAssertEqual(y2.shape, [1, 1, 2, 2]); XCTAssertEqual(y2.scalars, [0, 2, 8, 10])
    }

    func testMaxPoolByHand() {
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 0, 3, 4, 7, 6])
        let y = value { $0.constant(x).maxPool2d(size: 2) }
        XCTAssertEqual(y.shape, [1, 1, 1, 2]); XCTAssertEqual(y.scalars, [5, 7])
    }

    func testUpsampleByHand() {
        let t = Tape()
        let x = t.constant(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]))
        let y = x.upsampled(factor: 2).value
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        XCTAssertEqual(y.scalars, [1, 1, 2, 2,  1, 1, 2, 2,  3, 3, 4, 4,  3, 3, 4, 4])
    }

    /// conv2d against the definition, summed directly, over the geometries the fast paths
    /// distinguish (stride 1 → padded rows copied in SIMD blocks of 8 with an overlapping tail,
    /// of 4, or one by one; stride 2 → element by element).
    func testConvolutionMatchesDirectSum() {
        var rng = RandomGenerator(seed: 11)
        for (h, w, k, p, s) in [(9, 9, 5, 2, 1), (7, 11, 5, 2, 1), (6, 5, 3, 1, 1), (8, 8, 3, 0, 1), (9, 7, 3, 1, 2), (4, 4, 5, 2, 1),
                                  (5, 3, 3, 1, 1), (6, 14, 5, 2, 1), (3, 17, 1, 0, 1)] {
            let (n, c, o) = (3, 2, 4)
            let x = Tensor(shape: [n, c, h, w], scalars: (0..<(n * c * h * w)).map { _ in rng.nextUnitFloat() - 0.5 })
            let wt = Tensor(shape: [o, c, k, k], scalars: (0..<(o * c * k * k)).map { _ in rng.nextUnitFloat() - 0.5 })
            let y = value { t in t.constant(x).conv2d(weight: t.constant(wt), bias: nil, stride: s, padding: p) }
            let ho = (h + 2 * p - k) / s + 1, wo = (w + 2 * p - k) / s + 1
            XCTAssertEqual(y.shape, [n, o, ho, wo])
            for b in 0..<n { for oc in 0..<o { for i in 0..<ho { for j in 0..<wo {
                var sum: Float = 0
                for ch in 0..<c { for u in 0..<k { for v in 0..<k {
                    let ih = i * s - p + u, iw = j * s - p + v
                    guard ih >= 0, ih < h, iw >= 0, iw < w else { continue }
                    sum += x.scalars[((b * c + ch) * h + ih) * w + iw] * wt.scalars[((oc * c + ch) * k + u) * k + v]
                } } }
                XCTAssertEqual(y.scalars[((b * o + oc) * ho + i) * wo + j], sum, accuracy: 1e-5, "\(h)×\(w) k\(k) p\(p) s\(s)")
            } } } }
        }
    }

    /// 2×2 max pooling against the definition for output widths below, at and above the
    /// 4-window SIMD block (with an overlapping tail), ties resolved to the first position.
    func testMaxPoolMatchesDefinitionWithTies() {
        var rng = RandomGenerator(seed: 12)
        for w in [2, 3, 6, 8, 9, 10, 14, 28] {
            let (nc, h) = (3, 4)
            // values from a small set, so ties are common
            let x = Tensor(shape: [1, nc, h, w], scalars: (0..<(nc * h * w)).map { _ in Float(Int(rng.nextUnitFloat() * 4)) })
            let tape = Tape()
            let input = tape.variable(x)
            let y = input.maxPool2d(size: 2)
            let wo = w / 2
            var expectedGrad = [Float](repeating: 0, count: x.count)
            for p in 0..<nc { for i in 0..<(h / 2) { for j in 0..<wo {
                let cand = [(2 * i) * w + 2 * j, (2 * i) * w + 2 * j + 1, (2 * i + 1) * w + 2 * j, (2 * i + 1) * w + 2 * j + 1]
                    .map { p * h * w + $0 }
                let m = cand.map { x.scalars[$0] }.max()!
                XCTAssertEqual(y.value.scalars[(p * (h / 2) + i) * wo + j], m, "w \(w)")
                expectedGrad[cand.first { x.scalars[$0] == m }!] += 1
            } } }
            tape.backward(from: y.sum())
            XCTAssertEqual(tape.gradient(of: input).scalars, expectedGrad, "w \(w)")
        }
    }

    func testBatchNormStatisticsLikePyTorch() {
        // channel values 1, 2, 3, 4: mean 2.5, biased var 1.25, unbiased var 5/3
        let x = Tensor(shape: [4, 1], scalars: [1, 2, 3, 4])
        let stats = BatchNormStatistics(mean: Tensor([0]), variance: Tensor([1]))
        let tape = Tape()
        let (y, s) = tape.constant(x).batchNorm(statistics: stats, weight: nil, bias: nil, training: true, momentum: 0.1, epsilon: 0)
        let k = 1 / Float(1.25).squareRoot()
        XCTAssertEqual(y.value.scalars[0], -1.5 * k, accuracy: 1e-6)
        XCTAssertEqual(s.mean.scalars[0], 0.25, accuracy: 1e-6)
        XCTAssertEqual(s.variance.scalars[0], 0.9 + 0.1 * 5 / 3, accuracy: 1e-6)
        let (yi, si) = tape.constant(x).batchNorm(statistics: s, weight: nil, bias: nil, training: false, epsilon: 0)
        XCTAssertEqual(si, s)
        XCTAssertEqual(yi.value.scalars[3], (4 - 0.25) / s.variance.scalars[0].squareRoot(), accuracy: 1e-5)
    }

    func testKaimingUniformBoundsAndDeterminism() {
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5)
        let w1 = kaimingUniform(shape: [64, 100], fanIn: 100, using: &a)
        let w2 = kaimingUniform(shape: [64, 100], fanIn: 100, using: &b)
        XCTAssertEqual(w1, w2)
        XCTAssertTrue(w1.scalars.allSatisfy { abs($0) <= 0.1 })
        XCTAssertGreaterThan(w1.scalars.map { abs($0) }.max()!, 0.09)
    }
}
