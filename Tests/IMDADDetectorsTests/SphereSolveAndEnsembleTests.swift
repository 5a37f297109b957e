// Issue 28's candidates: the exact sphere for fixed representations (optimality, the gap, a closed
// form) and the ensemble of seeds on a common scale.
import XCTest
@testable import IMDADDetectors
import IMDADEngine

final class SphereSolveTests: XCTestCase {
    /// Normals around 0 and a few anomalies around (1.5, 0, …), d dimensions.
    func points(n: Int, m: Int, d: Int, seed: UInt64) -> (normals: Tensor, anomalies: Tensor) {
        var rng = RandomGenerator(seed: seed)
        let normals = (0..<(n * d)).map { _ in 0.6 * rng.normal() }
        let anomalies = (0..<(m * d)).map { i in (i % d == 0 ? 1.5 : 0) + 0.3 * rng.normal() }
        return (Tensor(shape: [n, d], scalars: normals), Tensor(shape: [m, d], scalars: anomalies))
    }

    /// The solution's gap is certified small, and no nearby sphere (center moved along random
    /// directions, R² moved up or down) has a lower J.
    func testSolutionIsAMinimumOfJ() {
        let (z, a) = points(n: 120, m: 9, d: 4, seed: 3)
        let nu: Float = 0.7, kappa: Float = 10
        let s = solveSphere(normals: z, anomalies: a, nu: nu, kappa: kappa, marginSquared: 1, relativeGap: 1e-6, maxIterations: 20000)
        XCTAssertLessThanOrEqual(s.gap, 1e-5 * max(1, abs(s.objective)), "iterations \(s.iterations)")
        XCTAssertGreaterThan(s.gap, -1e-5, "J below the dual's value: one of them is wrong")
        XCTAssertEqual(s.objective, objectiveJ(s.sphere, normals: z, anomalies: a, nu: nu, kappa: kappa), accuracy: 1e-9)
        var rng = RandomGenerator(seed: 9)
        for step: Float in [0.3, 0.03] {
            for _ in 0..<20 {
                var moved = s.sphere
                moved.center = moved.center.map { $0 + step * rng.normal() }
                moved.radiusSquared += step * rng.normal()
                XCTAssertGreaterThanOrEqual(objectiveJ(moved, normals: z, anomalies: a, nu: nu, kappa: kappa),
                                            s.objective - 1e-4 * abs(s.objective), "a sphere \(step) away has a lower J")
            }
        }
        // The anomalies pushed the center away from them: below the normals' mean in feature 0.
        let mean0 = (0..<120).reduce(Float(0)) { $0 + z.scalars[$1 * 4] } / 120
        XCTAssertLessThan(s.sphere.center[0], mean0)
    }

    /// ν = 1 without anomalies: J = R² + mean[dᵢ − R²]₊ is smallest at c = the mean, where it is the
    /// mean squared distance to the mean (any R² ≤ min dᵢ).
    func testOneClassAtNuOneIsTheMean() {
        let (z, _) = points(n: 200, m: 0, d: 3, seed: 4)
        let s = solveSphere(normals: z, anomalies: nil, nu: 1, kappa: 1, marginSquared: 1, relativeGap: 1e-7, maxIterations: 20000)
        let mean = (0..<3).map { j in (0..<200).reduce(0.0) { $0 + Double(z.scalars[$1 * 3 + j]) } / 200 }
        for j in 0..<3 { XCTAssertEqual(Double(s.sphere.center[j]), mean[j], accuracy: 1e-3) }
        let spread = (0..<200).reduce(0.0) { acc, i in
            acc + (0..<3).reduce(0.0) { $0 + pow(Double(z.scalars[i * 3 + $1]) - mean[$1], 2) }
        } / 200
        XCTAssertEqual(s.objective, spread, accuracy: 1e-4 * spread)
    }

    /// For a fixed center, the R² returned is the minimizer along R² (J is no lower a little to
    /// either side, nor at any normal's or anomaly's break point).
    func testRadiusIsTheMinimizerAlongRSquared() {
        let (z, a) = points(n: 50, m: 6, d: 2, seed: 5)
        let center: [Float] = [0.1, -0.2]
        for (nu, kappa) in [(Float(0.1), Float(1)), (0.7, 10), (1, 0.5)] {
            let r2 = minimizingRadiusSquared(center: center, normals: z, anomalies: a, nu: nu, kappa: kappa, marginSquared: 1)
            func j(_ r: Float) -> Double {
                objectiveJ(Sphere(center: center, radiusSquared: r, marginSquared: 1), normals: z, anomalies: a, nu: nu, kappa: kappa)
            }
            let best = j(r2)
            let probe = Sphere(center: center, radiusSquared: 0)
            let breaks = probe.distancesSquared(rows: z) + probe.distancesSquared(rows: a).map { $0 - 1 }
            for r in breaks + [r2 - 0.01, r2 + 0.01, r2 - 1, r2 + 1] {
                XCTAssertGreaterThanOrEqual(j(r), best - 1e-9, "ν \(nu), κ \(kappa): J(\(r)) < J(\(r2))")
            }
        }
    }

    /// IMD-AD with the switch: after training (no refit), the sphere is the solver's for the final
    /// encoder, and the switch round-trips through its words.
    func testIMDADEndsOnTheSolvedSphere() throws {
        let data = try syntheticData(normals: 300, labeled: 8, seed: 2)
        var c = quickIMDAD(epochs: 6)
        c.radiusNu = nil
        c.ablation.sphereSolveEvery = 4
        var rng = RandomGenerator(seed: 1)
        let model = try IMDAD.fit(c, data: data.train, using: &rng)
        let normals = model.representations(data.train.normals), anomalies = data.train.anomalies.map(model.representations)
        let solved = solveSphere(normals: normals, anomalies: anomalies, nu: c.nu, kappa: c.kappa, marginSquared: 1)
        for (x, y) in zip(model.sphere.center, solved.sphere.center) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        XCTAssertEqual(model.sphere.radiusSquared, solved.sphere.radiusSquared, accuracy: 1e-4)
        XCTAssertTrue(c.objectiveWords.contains("sphere solved every 4 epochs"))
        c.ablation.sphereSolveEvery = 0
        XCTAssertThrowsError(try c.validate())
    }
}

final class EnsembleTests: XCTestCase {
    /// An ensemble of one is its seed's single model on the standardized scale; K members are
    /// reproducible, differ from each other, and average on that scale.
    func testMembersAreStandardizedAndAveraged() throws {
        let data = try syntheticData(normals: 300, labeled: 8, seed: 3)
        let config = quick(.imdad, epochs: 5)
        let one = try Ensemble.fit(config, count: 1, data: data.train, seed: 7)
        var rng = RandomGenerator(seed: 7)
        let single = try fitDetector(config, data: data.train, using: &rng).detector
        let raw = single.scores(data.test), train = single.scores(data.train.normals).map(Double.init)
        let mean = train.reduce(0, +) / Double(train.count)
        let sd = (train.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(train.count)).squareRoot()
        for (e, s) in zip(one.scores(data.test), raw) { XCTAssertEqual(Double(e), (Double(s) - mean) / sd, accuracy: 1e-4) }
        // On the training normals the standardized scores have mean 0 and standard deviation 1.
        let z = one.scores(data.train.normals).map(Double.init)
        XCTAssertEqual(z.reduce(0, +) / Double(z.count), 0, accuracy: 1e-4)

        let three = try Ensemble.fit(config, count: 3, data: data.train, seed: 7)
        let again = try Ensemble.fit(config, count: 3, data: data.train, seed: 7)
        XCTAssertEqual(three.scores(data.test), again.scores(data.test))
        XCTAssertEqual(three.members.count, 3)
        XCTAssertEqual(three.methodName, "IMD-AD ×3")
        let members = three.members.enumerated().map { k, m in
            m.detector.scores(data.test).map { ($0 - three.scales[k].mean) / three.scales[k].standardDeviation }
        }
        XCTAssertNotEqual(members[0], members[1])
        for (i, s) in three.scores(data.test).enumerated() {
            XCTAssertEqual(s, (members[0][i] + members[1][i] + members[2][i]) / 3, accuracy: 1e-5)
        }
        XCTAssertThrowsError(try Ensemble.fit(config, count: 0, data: data.train, seed: 7))
    }
}
