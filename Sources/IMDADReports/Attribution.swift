// Input attributions of the IMD-AD score: gradient × input and integrated gradients.
//
// The score of a trained model is s(x) = ‖φ(x) − c‖² − R² (spec §2), with c = w/2 and
// R² = b + ‖w‖²/4 read off the final layer. Both methods differentiate s with respect to the
// (scaled) input x on a `Tape`, with the network's tensors bound as constants and the forward
// pass in `.inference` mode. In inference every row is processed independently (batch norm uses
// its running statistics), so one backward pass from Σᵢ s(xᵢ) yields ∂s(xᵢ)/∂xᵢ for every row i.

import IMDADEngine
import IMDADCharts
import IMDADDetectors

/// An attribution method.
public enum AttributionMethod: String, Sendable, Codable, CaseIterable {
    /// `aᵢ = xᵢ · ∂s/∂xᵢ(x)` (a first-order Taylor term around 0; cheap, not complete).
    case gradientTimesInput = "gradient × input"
    /// `aᵢ = (xᵢ − x′ᵢ) ∫₀¹ ∂s/∂xᵢ(x′ + α(x − x′)) dα` (Sundararajan et al. 2017). Complete:
    /// `Σᵢ aᵢ = s(x) − s(x′)` up to the quadrature error, reported as the completeness gap.
    case integratedGradients = "integrated gradients"
}

/// The reference input `x′` of integrated gradients (and of the deletion test).
public enum AttributionBaseline: String, Sendable, Codable, CaseIterable {
    /// The training sample whose representation is nearest the center: `argminⱼ ‖φ(xⱼ) − c‖`
    /// (the prototype of normality; needs the training features).
    case nearestNormal = "nearest normal"
    /// The column means of the training features (needs the training features).
    case mean
    /// The all-zero input (in scaled feature space: every feature at its training minimum for
    /// min-max scaled data).
    case zeros
}

/// Gradients of the score with respect to the input.
enum ScoreGradient {
    /// Rows per tape (bounds the memory of one backward pass).
    static let rowsPerTape = 512

    /// `(s(xᵢ), ∂s/∂xᵢ)` for every row of `x` (N, D), computed in chunks of ``rowsPerTape`` rows.
    static func evaluate(_ network: Network, _ x: Tensor) -> (scores: [Float], gradients: [Float]) {
        let n = x.shape[0]
        var scores = [Float](), grads = [Float]()
        scores.reserveCapacity(n)
        grads.reserveCapacity(x.count)
        var start = 0
        while start < n {
            let end = min(n, start + rowsPerTape)
            let tape = Tape()
            let bound = network.bind(on: tape, differentiable: false)
            let input = tape.variable(x.rows(start..<end))
            let s = network.forward(input, bound: bound, mode: .inference).output
            tape.backward(from: s.sum())
            scores += s.value.scalars
            grads += tape.gradient(of: input).scalars
            start = end
        }
        return (scores, grads)
    }

    /// Trapezoid weights of `m ≥ 2` equally spaced points αₖ = k/(m − 1) on [0, 1]:
    /// `∫₀¹ f ≈ Σₖ wₖ f(αₖ)`, `w₀ = w_{m−1} = 1/(2(m − 1))`, otherwise `1/(m − 1)`.
    static func trapezoidWeights(_ m: Int) -> [Double] {
        precondition(m >= 2)
        let h = 1 / Double(m - 1)
        return (0..<m).map { $0 == 0 || $0 == m - 1 ? h / 2 : h }
    }

    /// Integrated gradients of every row of `x` (N, D) against one baseline `x′` (D), with `steps`
    /// quadrature points. All interpolants `x′ + αₖ(x − x′)` of a sample go into one batch (several
    /// samples share a tape when they fit into ``rowsPerTape`` rows).
    static func integratedGradients(_ network: Network, _ x: Tensor, baseline: [Float], steps: Int) -> [[Float]] {
        let n = x.shape[0], d = x.count / max(n, 1)
        precondition(baseline.count == d, "baseline has \(baseline.count) features, the data \(d)")
        let m = max(2, steps)
        let weights = trapezoidWeights(m)
        let alphas = (0..<m).map { Float(Double($0) / Double(m - 1)) }
        let perTape = max(1, rowsPerTape / m)
        var result: [[Float]] = []
        result.reserveCapacity(n)
        var start = 0
        while start < n {
            let end = min(n, start + perTape)
            var batch = [Float]()
            batch.reserveCapacity((end - start) * m * d)
            for i in start..<end {
                let row = x.scalars[(i * d)..<((i + 1) * d)]
                for a in alphas {
                    for (k, v) in row.enumerated() { batch.append(baseline[k] + a * (v - baseline[k])) }
                }
            }
            let g = evaluate(network, Tensor(shape: [(end - start) * m, d], scalars: batch)).gradients
            for (j, i) in (start..<end).enumerated() {
                var avg = [Double](repeating: 0, count: d)
                for k in 0..<m {
                    let base = (j * m + k) * d
                    for f in 0..<d { avg[f] += weights[k] * Double(g[base + f]) }
                }
                result.append((0..<d).map { f in Float(Double(x.scalars[i * d + f] - baseline[f]) * avg[f]) })
            }
            start = end
        }
        return result
    }
}

/// Where the training data put the prototype and the baselines.
enum TrainingReference {
    /// Index of the training row nearest the center, `argminⱼ ‖φ(xⱼ) − c‖²`, and that distance².
    static func nearestToCenter(_ model: IMDAD, training: Tensor) -> (index: Int, distanceSquared: Float)? {
        let n = training.shape[0]
        guard n > 0 else { return nil }
        let phi = model.representations(training)
        let sphere = model.sphere, d = phi.count / n
        var best = (index: 0, distanceSquared: Float.infinity)
        for i in 0..<n {
            let d2 = sphere.distanceSquared(phi.scalars[(i * d)..<((i + 1) * d)])
            if d2 < best.distanceSquared { best = (i, d2) }
        }
        return best
    }

    /// Column means of a (N, D) tensor.
    static func columnMeans(_ x: Tensor) -> [Float] {
        let n = x.shape[0], d = x.count / max(n, 1)
        var sum = [Double](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { sum[k] += Double(x.scalars[i * d + k]) } }
        return sum.map { Float($0 / Double(max(n, 1))) }
    }
}
