// The sphere that minimizes J for fixed representations: a convex problem, solved to a certified gap.

import IMDADEngine

/// The final layer of IMD-AD solved for a fixed encoder (issue 28's "final layer solved exactly").
/// With representations `zᵢ` (normals) and `z̃ⱼ` (labeled anomalies) fixed, IMD-AD's objective over
/// the sphere layer, `s(z) = ‖z‖² − wᵀz − b`,
///
///     J(w, b) = b + ‖w‖²/4 + C Σᵢ [‖zᵢ‖² − wᵀzᵢ − b]₊ + D Σⱼ [ρ² − ‖z̃ⱼ‖² + wᵀz̃ⱼ + b]₊,
///     C = 1/(ν·n),  D = κ/m,
///
/// is convex (a quadratic plus hinges of affine functions). Its Lagrange dual, with `uₖ` = αᵢ for a
/// normal and −βⱼ for an anomaly, is
///
///     max_u  Σₖ uₖ qₖ − ‖Σₖ uₖ zₖ‖²   s.t.  Σₖ uₖ = 1,  0 ≤ uᵢ ≤ C,  −D ≤ uⱼ ≤ 0,
///     qₖ = ‖zₖ‖² (normals),  ‖z̃ₖ‖² − ρ² (anomalies),
///
/// and the center is `c = w/2 = Σₖ uₖ zₖ` (stationarity in `w`; the constraint on Σu is
/// stationarity in `b`). The dual is a concave quadratic over a box cut by one hyperplane, solved
/// by accelerated projected gradient (FISTA; the projection finds the hyperplane's shift by
/// bisection). For the dual's center `c`, `R²` is then the exact minimizer of J along `R²`
/// (``minimizingRadiusSquared(center:normals:anomalies:nu:kappa:marginSquared:)``), and the duality gap
/// `J(c, R²) − D(u) ≥ 0` certifies how far the result is from the optimum.
public struct SphereSolution: Sendable {
    public var sphere: Sphere
    /// J at the returned sphere, and the duality gap (J minus the dual's value, ≥ 0 up to rounding).
    public var objective: Double, gap: Double
    public var iterations: Int
}

/// Solves the problem above for `normals` (n × d) and `anomalies` (m × d, or nil) until the gap is
/// at most `relativeGap · max(1, |J|)` or `maxIterations` passes. O((n + m)·d) per pass.
public func solveSphere(normals: Tensor, anomalies: Tensor?, nu: Float, kappa: Float, marginSquared: Float,
                        relativeGap: Double = 1e-4, maxIterations: Int = 3000) -> SphereSolution {
    let n = normals.shape[0], m = anomalies?.shape[0] ?? 0, d = normals.count / Swift.max(n, 1)
    let rows = n + m
    // All rows, Double, normals first.
    var z = normals.scalars.map(Double.init)
    if let a = anomalies { z += a.scalars.map(Double.init) }
    let rho2 = Double(marginSquared)
    let upperC = 1 / (Double(nu) * Double(n)), upperD = m > 0 ? Double(kappa) / Double(m) : 0
    var q = [Double](repeating: 0, count: rows)
    for k in 0..<rows {
        var s = 0.0
        for j in 0..<d { s += z[k * d + j] * z[k * d + j] }
        q[k] = k < n ? s : s - rho2
    }
    let low = (0..<rows).map { $0 < n ? 0 : -upperD }, high = (0..<rows).map { $0 < n ? upperC : 0 }

    /// `Σₖ uₖ zₖ`.
    func center(_ u: [Double]) -> [Double] {
        var c = [Double](repeating: 0, count: d)
        for k in 0..<rows where u[k] != 0 { for j in 0..<d { c[j] += u[k] * z[k * d + j] } }
        return c
    }
    func dual(_ u: [Double], _ c: [Double]) -> Double {
        var v = 0.0
        for k in 0..<rows { v += u[k] * q[k] }
        return v - c.reduce(0) { $0 + $1 * $1 }
    }
    /// The point of the feasible set nearest to `v`: clip(v − τ, low, high) with τ such that Σ = 1.
    func project(_ v: [Double]) -> [Double] {
        func total(_ tau: Double) -> Double {
            var s = 0.0
            for k in 0..<rows { s += Swift.min(high[k], Swift.max(low[k], v[k] - tau)) }
            return s
        }
        var lo = (v.min() ?? 0) - upperC - upperD - 1, hi = (v.max() ?? 0) + upperC + upperD + 1
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if total(mid) > 1 { lo = mid } else { hi = mid }
        }
        let tau = (lo + hi) / 2
        return v.indices.map { Swift.min(high[$0], Swift.max(low[$0], v[$0] - tau)) }
    }
    // Step 1/L with L = 2·λ_max(ZᵀZ), the dual gradient's Lipschitz constant (power iteration on d × d).
    var gram = [Double](repeating: 0, count: d * d)
    for k in 0..<rows { for i in 0..<d { for j in 0..<d { gram[i * d + j] += z[k * d + i] * z[k * d + j] } } }
    var vec = [Double](repeating: 1 / Double(d).squareRoot(), count: d), lambda = 0.0
    for _ in 0..<100 {
        var next = [Double](repeating: 0, count: d)
        for i in 0..<d { for j in 0..<d { next[i] += gram[i * d + j] * vec[j] } }
        lambda = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard lambda > 0 else { break }
        vec = next.map { $0 / lambda }
    }
    let step = 1 / (2 * Swift.max(lambda, 1e-12) * 1.01)

    // Start from the normals' mean (u = 1/n on each normal: feasible since C = 1/(νn) ≥ 1/n).
    // The center is linear in u, so the extrapolated point's center is the same combination of
    // the two iterates' centers: one O((n + m)·d) pass per iteration, not three.
    var u = (0..<rows).map { $0 < n ? 1 / Double(n) : 0 }, y = u, t = 1.0
    var cu = center(u), cy = cu
    var best = (u: u, c: cu, value: -Double.infinity)
    var solution = SphereSolution(sphere: Sphere(center: [Float](repeating: 0, count: d), radiusSquared: 0), objective: 0,
                                  gap: .infinity, iterations: 0)
    for iteration in 1...Swift.max(1, maxIterations) {
        var ascent = [Double](repeating: 0, count: rows)
        for k in 0..<rows {
            var zc = 0.0
            for j in 0..<d { zc += z[k * d + j] * cy[j] }
            ascent[k] = y[k] + step * (q[k] - 2 * zc)
        }
        let next = project(ascent), cNext = center(next)
        let tNext = (1 + (1 + 4 * t * t).squareRoot()) / 2, beta = (t - 1) / tNext
        // Nesterov's extrapolation a + β·(a − b), of the dual point and of its center alike.
        func extrapolated(_ a: [Double], from b: [Double]) -> [Double] { a.indices.map { a[$0] + beta * (a[$0] - b[$0]) } }
        y = extrapolated(next, from: u)
        cy = extrapolated(cNext, from: cu)
        u = next
        cu = cNext
        t = tNext
        let value = dual(u, cu)
        if value > best.value { best = (u, cu, value) }
        // Check the gap every 20 passes (and at the last): J of the best dual point's center.
        if iteration % 20 == 0 || iteration == maxIterations {
            let bc = best.c.map(Float.init)
            let r2 = minimizingRadiusSquared(center: bc, normals: normals, anomalies: anomalies, nu: nu, kappa: kappa,
                                             marginSquared: marginSquared)
            let sphere = Sphere(center: bc, radiusSquared: r2, marginSquared: marginSquared)
            let j = objectiveJ(sphere, normals: normals, anomalies: anomalies, nu: nu, kappa: kappa)
            solution = SphereSolution(sphere: sphere, objective: j, gap: j - best.value, iterations: iteration)
            if solution.gap <= relativeGap * Swift.max(1, abs(j)) { break }
        }
    }
    return solution
}

/// J over the sphere for fixed representations (no weight decay): `R² + C Σ[dᵢ − R²]₊ + D Σ[ρ² + R² − d̃ⱼ]₊`.
public func objectiveJ(_ sphere: Sphere, normals: Tensor, anomalies: Tensor?, nu: Float, kappa: Float) -> Double {
    let r2 = Double(sphere.radiusSquared), rho2 = Double(sphere.marginSquared)
    let dn = sphere.distancesSquared(rows: normals).map(Double.init)
    var j = r2 + dn.reduce(0) { $0 + Swift.max(0, $1 - r2) } / (Double(nu) * Double(dn.count))
    if let a = anomalies, a.shape[0] > 0 {
        let da = sphere.distancesSquared(rows: a).map(Double.init)
        j += Double(kappa) * da.reduce(0) { $0 + Swift.max(0, rho2 + r2 - $1) } / Double(da.count)
    }
    return j
}

/// The `R²` that minimizes J for a fixed center: J is convex and piecewise linear in `R²`, with slope
/// `1 − C·#{dᵢ > R²} + D·#{d̃ⱼ − ρ² ≤ R²}` to the right of `R²`; the minimizer is the first break point
/// (a normal's `dᵢ` or an anomaly's `d̃ⱼ − ρ²`) where that slope is ≥ 0. O((n + m) log(n + m)).
public func minimizingRadiusSquared(center: [Float], normals: Tensor, anomalies: Tensor?, nu: Float, kappa: Float,
                                    marginSquared: Float) -> Float {
    let probe = Sphere(center: center, radiusSquared: 0, marginSquared: marginSquared)
    let dn = probe.distancesSquared(rows: normals).map(Double.init)
    let da = anomalies.map { probe.distancesSquared(rows: $0).map { Double($0) - Double(marginSquared) } } ?? []
    let c = 1 / (Double(nu) * Double(dn.count)), dWeight = da.isEmpty ? 0 : Double(kappa) / Double(da.count)
    // Break points with the slope change they cause when passed: a normal stops counting (+C), an
    // anomaly starts (+D).
    let points = (dn.map { ($0, c) } + da.map { ($0, dWeight) }).sorted { $0.0 < $1.0 }
    var slope = 1 - c * Double(dn.count)  // left of every break point: all normals outside, no anomaly inside
    for (r, change) in points {
        slope += change
        if slope >= 0 { return Float(r) }
    }
    return Float(points.last?.0 ?? 0)
}
