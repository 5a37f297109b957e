// Finite-difference gradient checking shared by the engine tests.
import XCTest
@testable import IMDADEngine

/// Random tensor with entries in ±scale, kept away from 0 so kinks (ReLU, hinge) are not hit.
func randomTensor(_ shape: [Int], _ rng: inout RandomGenerator, scale: Float = 1, awayFromZero: Float = 0.05) -> Tensor {
    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in
        let u = rng.uniform(-scale, scale)
        return u >= 0 ? u + awayFromZero : u - awayFromZero
    })
}

/// What ``gradientCheck`` found.
struct GradientCheckResult {
    /// One line per element whose analytic and numeric derivatives disagree.
    var mismatches: [String] = []
    /// Elements compared.
    var checked = 0
    /// Elements left out because the two step sizes disagree (a kink within the step).
    var nonsmooth: [String] = []
}

/// Compares the tape's gradients of `L = Σ f(inputs) ⊙ R` (R a fixed random tensor) with finite
/// differences for every input element (or a random subset of `maxElements`).
///
/// `L` is evaluated in Float (the ops' precision) and accumulated in Double; the derivative is
/// taken in Double from central differences `D(h) = (L(x + h) − L(x − h)) / (x₊ − x₋)` (the
/// denominator is the step actually taken in Float) at `h` and `h/2`, combined by Richardson
/// extrapolation `(4·D(h/2) − D(h)) / 3` (error O(h⁴)). An element where `D(h)` and `D(h/2)`
/// disagree by more than the tolerance has a kink (ReLU, max-pool tie) within the step and is
/// left out, in `nonsmooth`. The others must satisfy
/// `|a − n| ≤ rtol · max(|a|, |n|) + atol`, which is tight enough to catch a 1 % error in any
/// gradient element larger than about `atol / (0.01 − rtol)` (see GradientCheckerTests).
///
/// `analyticScale` multiplies the analytic gradients (1 except in the test that proves the
/// checker catches a 1 % error).
func gradientCheck(_ inputs: [Tensor], h: Float = 1e-2, rtol: Double = 2e-3, atol: Double = 2e-4,
                   maxElements: Int = 60, analyticScale: Float = 1,
                   _ f: ([Variable]) -> Variable) -> GradientCheckResult {
    var rng = RandomGenerator(seed: 99)
    // Analytic gradients.
    let tape = Tape()
    let vars = inputs.map { tape.variable($0) }
    let out = f(vars)
    let r = randomTensor(out.shape, &rng, scale: 1, awayFromZero: 0.1)
    let loss = (out * tape.constant(r)).sum()
    tape.backward(from: loss)
    let analytic = vars.map { tape.gradient(of: $0) }

    func lossAt(_ xs: [Tensor]) -> Double {
        let t = Tape()
        let o = f(xs.map { t.constant($0) }).value
        var s = 0.0
        for i in 0..<o.count { s += Double(o.scalars[i]) * Double(r.scalars[i]) }
        return s
    }
    func difference(_ k: Int, _ i: Int, _ step: Float) -> Double {
        var plus = inputs, minus = inputs
        plus[k].scalars[i] += step
        minus[k].scalars[i] -= step
        return (lossAt(plus) - lossAt(minus)) / (Double(plus[k].scalars[i]) - Double(minus[k].scalars[i]))
    }
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= rtol * max(abs(a), abs(b)) + atol }

    var result = GradientCheckResult()
    for (k, x) in inputs.enumerated() {
        let idx = x.count <= maxElements ? Array(0..<x.count) : (0..<maxElements).map { _ in rng.nextIndex(below: x.count) }
        for i in idx {
            let coarse = difference(k, i, h), fine = difference(k, i, h / 2)
            let a = Double(analytic[k].scalars[i] * analyticScale)
            guard close(coarse, fine) else {
                result.nonsmooth.append("input \(k) element \(i): D(h) \(coarse) vs D(h/2) \(fine), analytic \(a)")
                continue
            }
            let numeric = (4 * fine - coarse) / 3
            result.checked += 1
            if !close(a, numeric) {
                result.mismatches.append("input \(k) element \(i): analytic \(a) vs numeric \(numeric)"
                                         + " (difference \(abs(a - numeric)), relative \(abs(a - numeric) / max(abs(a), abs(numeric))))")
            }
        }
    }
    return result
}

/// ``gradientCheck`` as an assertion: fails on every mismatch, and when more than
/// `maxNonsmoothFraction` of the elements had to be left out for kinks (so most of the gradient
/// is still checked).
func checkGradients(_ inputs: [Tensor], h: Float = 1e-2, rtol: Double = 2e-3, atol: Double = 2e-4, maxElements: Int = 60,
                    maxNonsmoothFraction: Double = 0.1,
                    file: StaticString = #filePath, line: UInt = #line,
                    _ f: ([Variable]) -> Variable) {
    let result = gradientCheck(inputs, h: h, rtol: rtol, atol: atol, maxElements: maxElements, f)
    for m in result.mismatches { XCTFail(m, file: file, line: line) }
    let total = result.checked + result.nonsmooth.count
    XCTAssertGreaterThan(result.checked, 0, "no element was checked", file: file, line: line)
    XCTAssertLessThanOrEqual(Double(result.nonsmooth.count), maxNonsmoothFraction * Double(total),
                             "\(result.nonsmooth.count) of \(total) elements have kinks within the step:\n"
                             + result.nonsmooth.prefix(10).joined(separator: "\n"), file: file, line: line)
}
