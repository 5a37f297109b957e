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

/// Checks the tape's gradients of `L = Σ f(inputs) ⊙ R` (R a fixed random tensor) against
/// central finite differences `(L(x + h) − L(x − h)) / 2h` for every input element
/// (or a random subset of `maxElements`).
func checkGradients(_ inputs: [Tensor], h: Float = 4e-3, tolerance: Float = 2e-2, maxElements: Int = 60,
                    file: StaticString = #filePath, line: UInt = #line,
                    _ f: ([Variable]) -> Variable) {
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
    for (k, x) in inputs.enumerated() {
        let idx = x.count <= maxElements ? Array(0..<x.count) : (0..<maxElements).map { _ in rng.nextIndex(below: x.count) }
        for i in idx {
            var plus = inputs, minus = inputs
            plus[k].scalars[i] += h
            minus[k].scalars[i] -= h
            let numeric = Float((lossAt(plus) - lossAt(minus)) / Double(2 * h))
            let a = analytic[k].scalars[i]
            let scale = max(1, abs(a), abs(numeric))
            XCTAssertLessThanOrEqual(abs(a - numeric), tolerance * scale,
                                     "input \(k) element \(i): analytic \(a) vs numeric \(numeric)", file: file, line: line)
        }
    }
}
