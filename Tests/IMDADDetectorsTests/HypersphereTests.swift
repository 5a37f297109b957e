// The sphere ⇔ (w, b) identity, checked numerically.
import Foundation
import XCTest
@testable import IMDADDetectors
import IMDADEngine

final class HypersphereTests: XCTestCase {
    func testLayerScoreEqualsDistanceMinusRadius() {
        var rng = RandomGenerator(seed: 3)
        for _ in 0..<20 {
            let d = 1 + rng.nextIndex(below: 8)
            let w = Tensor((0..<d).map { _ in rng.uniform(-2, 2) }), b = Tensor([rng.uniform(-1, 1)])
            let phi = Tensor(shape: [5, d], scalars: (0..<(5 * d)).map { _ in rng.uniform(-2, 2) })
            let tape = Tape()
            var ctx = ForwardContext(tape: tape, mode: .inference, bound: [tape.constant(w), tape.constant(b)])
            let s = HypersphereLayer(dimension: d).forward(tape.constant(phi), first: 0, context: &ctx).value
            let sphere = Sphere(w: w, b: b)
            for i in 0..<5 {
                let row = phi.scalars[(i * d)..<((i + 1) * d)]
                XCTAssertEqual(s.scalars[i], sphere.distanceSquared(row) - sphere.radiusSquared, accuracy: 1e-4)
            }
            // (w, b) → (c, R²) → (w, b)
            let (w2, b2) = sphere.layerWeights
            for k in 0..<d { XCTAssertEqual(w2.scalars[k], w.scalars[k], accuracy: 1e-5) }
            XCTAssertEqual(b2.scalars[0], b.scalars[0], accuracy: 1e-4)
            // R² on the tape equals the read-out
            let r2 = HypersphereLayer.radiusSquared(w: tape.constant(w), b: tape.constant(b)).value.scalar
            XCTAssertEqual(r2, sphere.radiusSquared, accuracy: 1e-4)
        }
    }

    func testZonesAndReadOuts() {
        let s = Sphere(center: [0, 0], radiusSquared: 4, marginSquared: 1)
        XCTAssertEqual(s.radius, 2); XCTAssertEqual(s.relativeMargin, 0.25)
        XCTAssertEqual(s.zone(score: -0.1), .inside)
        XCTAssertEqual(s.zone(score: 0), .inside)
        XCTAssertEqual(s.zone(score: 0.5), .marginBand)
        XCTAssertEqual(s.zone(score: 1), .outside)
        XCTAssertEqual(s.score([3, 0]), 5)
    }

    /// J_B and ∂J_B/∂s against the closed form, for the plain hinge and with the ablation terms
    /// (compactness μ, ramp cap τ): normals contribute (1/ν)/n · 1[0 < s < τρ²] + μ/n, anomalies
    /// −κ/m · 1[s < ρ²]; R² enters J_B with weight 1 + μ.
    func testObjectiveValueAndScoreGradientsByHand() {
        let normals: [Float] = [-0.5, 0.3, 2.5, 6.0], anomalies: [Float] = [0.4, 1.5]
        let w = Tensor([1, -2]), b = Tensor([0.25])
        let r2 = Sphere(w: w, b: b).radiusSquared
        for (mu, cap) in [(Float(0), Float?.none), (0.5, nil), (0, 4), (2, 1)] {
            var c = IMDADConfiguration(encoder: .mlp(input: 2, hidden: [], representation: 2))
            c.nu = 0.25; c.kappa = 3; c.ablation.compactness = mu; c.ablation.normalCap = cap
            let tape = Tape()
            let s = tape.variable(Tensor(normals + anomalies))
            let loss = IMDADObjective(c).batchLoss(scores: s, anomalyCount: anomalies.count,
                                                   w: tape.constant(w), b: tape.constant(b)).loss
            let n = Float(normals.count), m = Float(anomalies.count), limit = (cap ?? .infinity) * c.marginSquared
            let hinge = normals.map { Swift.min(Swift.max($0, 0), limit) }.reduce(0, +) / n / c.nu
            let pull = mu * (normals.reduce(0, +) / n + r2)
            let push = c.kappa * anomalies.map { Swift.max(c.marginSquared - $0, 0) }.reduce(0, +) / m
            XCTAssertEqual(loss.value.scalar, r2 + hinge + pull + push, accuracy: 1e-5, "μ \(mu) τ \(String(describing: cap))")
            tape.backward(from: loss)
            let expected = normals.map { ($0 > 0 && $0 < limit ? 1 / (c.nu * n) : 0) + mu / n }
                + anomalies.map { $0 < c.marginSquared ? -c.kappa / m : 0 }
            let g = tape.gradient(of: s).scalars
            for i in g.indices { XCTAssertEqual(g[i], expected[i], accuracy: 1e-5, "row \(i), μ \(mu) τ \(String(describing: cap))") }
        }
    }

    /// A softplus on the anomalies' term only: κ/m Σ softplus_β(ρ² − s̃) with gradient
    /// −κ/m · σ(β(ρ² − s̃)), never zero beyond the margin; the normals keep the plain hinge.
    func testAnomalySoftplusByHand() {
        let normals: [Float] = [-0.5, 0.3, 2.5], anomalies: [Float] = [0.4, 1.5, 4.0]
        let w = Tensor([1, -2]), b = Tensor([0.25])
        let r2 = Sphere(w: w, b: b).radiusSquared
        var c = IMDADConfiguration(encoder: .mlp(input: 2, hidden: [], representation: 2))
        c.nu = 0.5; c.kappa = 2; c.ablation.anomalyHinge = .softplus(beta: 2)
        let tape = Tape()
        let s = tape.variable(Tensor(normals + anomalies))
        let loss = IMDADObjective(c).batchLoss(scores: s, anomalyCount: anomalies.count, w: tape.constant(w), b: tape.constant(b)).loss
        func softplus(_ z: Float) -> Float { log1p(expf(2 * z)) / 2 }
        func sigmoid(_ z: Float) -> Float { 1 / (1 + expf(-z)) }
        let n = Float(normals.count), m = Float(anomalies.count)
        let hinge = normals.map { Swift.max($0, 0) }.reduce(0, +) / n / c.nu
        let push = c.kappa * anomalies.map { softplus(c.marginSquared - $0) }.reduce(0, +) / m
        XCTAssertEqual(loss.value.scalar, r2 + hinge + push, accuracy: 1e-5)
        tape.backward(from: loss)
        let expected = normals.map { $0 > 0 ? 1 / (c.nu * n) : 0 } + anomalies.map { -c.kappa / m * sigmoid(2 * (c.marginSquared - $0)) }
        let g = tape.gradient(of: s).scalars
        for i in g.indices { XCTAssertEqual(g[i], expected[i], accuracy: 1e-5, "row \(i)") }
        XCTAssertLessThan(g.last!, 0, "an anomaly beyond the margin is still pushed")
    }
}
