// The sphere ⇔ (w, b) identity, checked numerically.
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
}
