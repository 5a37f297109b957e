// The gradient checker itself: it must catch a 1 % error.
import Foundation
import XCTest
@testable import IMDADEngine

final class GradientCheckerTests: XCTestCase {
    var rng = RandomGenerator(seed: 11)

    /// `exp` recorded with a pullback that is wrong by `factor` on the elements in `wrong`
    /// (all when nil): the value is right, only the gradient is off.
    func corruptedExp(_ x: Variable, factor: Float, wrong: Set<Int>? = nil) -> Variable {
        let value = x.value.map { Float(Foundation.exp(Double($0))) }
        return x.tape.record(value, inputs: [x]) { g, tape in
            var grad = g
            for i in 0..<grad.count where wrong?.contains(i) ?? true { grad.scalars[i] *= value.scalars[i] * factor }
            for i in 0..<grad.count where !(wrong?.contains(i) ?? true) { grad.scalars[i] *= value.scalars[i] }
            tape.accumulate(grad, into: x)
        }
    }

    func testCorrectCustomOpPasses() {
        let x = randomTensor([4, 5], &rng)
        let result = gradientCheck([x]) { corruptedExp($0[0], factor: 1) }
        XCTAssertEqual(result.mismatches, [])
        XCTAssertEqual(result.checked, 20)
    }

    /// An op whose gradient is 1 % too large everywhere, or on a single element, is reported.
    func testOnePercentErrorInAnOpIsCaught() {
        let x = randomTensor([4, 5], &rng)
        for factor: Float in [1.01, 0.99] {
            let all = gradientCheck([x]) { corruptedExp($0[0], factor: factor) }
            XCTAssertEqual(all.mismatches.count, 20, "factor \(factor): \(all.mismatches)")
            for element in [0, 7, 19] {
                let one = gradientCheck([x]) { corruptedExp($0[0], factor: factor, wrong: [element]) }
                XCTAssertEqual(one.mismatches.count, 1, "factor \(factor), element \(element)")
                XCTAssertTrue(one.mismatches.first?.hasPrefix("input 0 element \(element):") ?? false, "\(one.mismatches)")
            }
        }
    }

    /// Scaling the analytic gradients by 1.01 makes the checks of real ops fail (and the unscaled
    /// ones pass): matmul, a convolution, batch norm in training mode and a small network.
    func testOnePercentScaledGradientsOfRealOpsAreCaught() {
        let a = randomTensor([4, 3], &rng), b = randomTensor([3, 5], &rng)
        let x = randomTensor([2, 2, 6, 6], &rng), w = randomTensor([3, 2, 5, 5], &rng, scale: 0.3)
        let stats = BatchNormStatistics(mean: Tensor.zeros([3]), variance: Tensor(shape: [3], repeating: 1))
        let y = randomTensor([5, 3], &rng), g = randomTensor([3], &rng), bias = randomTensor([3], &rng)
        let cases: [(String, [Tensor], ([Variable]) -> Variable)] = [
            ("matmul", [a, b], { $0[0].matmul($0[1]) }),
            ("conv2d", [x, w], { $0[0].conv2d(weight: $0[1], bias: nil, stride: 1, padding: 2) }),
            ("batchNorm", [y, g, bias], {
                $0[0].batchNorm(statistics: stats, weight: $0[1], bias: $0[2], training: true, epsilon: 1e-4).output
            }),
            ("sigmoid∘linear", [a, randomTensor([2, 3], &rng)], { $0[0].linear(weight: $0[1], bias: nil).sigmoid() }),
        ]
        for (name, inputs, f) in cases {
            let right = gradientCheck(inputs, f)
            XCTAssertEqual(right.mismatches, [], name)
            let wrong = gradientCheck(inputs, analyticScale: 1.01, f)
            // every element whose derivative is not tiny is flagged
            XCTAssertGreaterThan(wrong.mismatches.count, right.checked / 2, "\(name): \(wrong.mismatches.count) of \(right.checked)")
        }
    }
}
