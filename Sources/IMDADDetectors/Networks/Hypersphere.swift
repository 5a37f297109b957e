// The IMD-AD hypersphere layer: the final layer of the network *is* the sphere.

import IMDADEngine

/// The final layer `s(x) = ‖φ‖² − wᵀφ − b` with weights `w ∈ R^d`, `b ∈ R` (the anomaly score).
///
/// ## Equivalence with a sphere
/// With `c = w/2` and `R² = b + ‖w‖²/4`:
///
///     ‖φ − c‖² − R² = ‖φ‖² − 2cᵀφ + ‖c‖² − R²
///                   = ‖φ‖² − wᵀφ + ‖w‖²/4 − b − ‖w‖²/4
///                   = ‖φ‖² − wᵀφ − b = s(x).
///
/// Conversely any sphere `(c, R²)` is the layer `w = 2c`, `b = R² − ‖c‖²`. The map
/// `(w, b) ↦ (c, R²)` is a bijection of `R^d × R`, so training `(w, b)` as ordinary weights
/// trains the center and the radius, and every learned layer reads as a sphere (`R²` may come
/// out negative, meaning an empty sphere: every point is outside). `s(x) > 0` ⇔ outside.
public struct HypersphereLayer: Layer {
    public var dimension: Int
    public init(dimension: Int) { self.dimension = dimension }

    public var parameterCount: Int { 2 }

    /// `w = 0, b = 0` until ``Sphere/layerWeights`` sets them from data.
    public func makeParameters(using rng: inout RandomGenerator) -> [ParameterSpec] {
        [ParameterSpec("w", Tensor.zeros([dimension])), ParameterSpec("b", Tensor.zeros([1]))]
    }

    /// `φ (N, d)` → `s (N)`.
    public func forward(_ phi: Variable, first: Int, context: inout ForwardContext) -> Variable {
        let w = context.bound[first], b = context.bound[first + 1]
        let linear = phi.matmul(w.reshaped([dimension, 1])).reshaped([phi.shape[0]])
        return phi.squaredNorm() - linear - b
    }

    public func describe() -> [LayerDescription] {
        var d = LayerDescription(kind: .hypersphere, tensors: ["w": "w", "b": "b"])
        d.dimension = dimension
        return [d]
    }

    /// `R² = b + ‖w‖²/4` on the tape (the first term of the IMD-AD objective).
    public static func radiusSquared(w: Variable, b: Variable) -> Variable {
        b.reshaped([]) + w.squaredNorm(axis: 0) * 0.25
    }
}

/// A sphere in representation space: center `c`, squared radius `R²`, squared margin `ρ²`.
public struct Sphere: Sendable, Equatable, Codable {
    public var center: [Float]
    public var radiusSquared: Float
    public var marginSquared: Float

    public init(center: [Float], radiusSquared: Float, marginSquared: Float = 1) {
        self.center = center; self.radiusSquared = radiusSquared; self.marginSquared = marginSquared
    }

    /// Reads the sphere off the layer: `c = w/2`, `R² = b + ‖w‖²/4`.
    public init(w: Tensor, b: Tensor, marginSquared: Float = 1) {
        let c = w.scalars.map { $0 / 2 }
        let w2 = w.scalars.reduce(0) { $0 + Double($1) * Double($1) }
        self.init(center: c, radiusSquared: Float(Double(b.scalars[0]) + w2 / 4), marginSquared: marginSquared)
    }

    /// The layer weights of this sphere: `w = 2c`, `b = R² − ‖c‖²`.
    public var layerWeights: (w: Tensor, b: Tensor) {
        let c2 = center.reduce(0) { $0 + Double($1) * Double($1) }
        return (Tensor(center.map { 2 * $0 }), Tensor([Float(Double(radiusSquared) - c2)]))
    }

    /// `R` (0 when `R² ≤ 0`).
    public var radius: Float { max(radiusSquared, 0).squareRoot() }
    /// `ρ`.
    public var margin: Float { max(marginSquared, 0).squareRoot() }
    /// The relative margin `ρ²/R²` (infinite for a point sphere).
    public var relativeMargin: Float { radiusSquared > 0 ? marginSquared / radiusSquared : .infinity }

    /// `s = ‖φ − c‖² − R²`.
    public func score(_ phi: ArraySlice<Float>) -> Float { distanceSquared(phi) - radiusSquared }

    /// `‖φ − c‖²`.
    public func distanceSquared(_ phi: ArraySlice<Float>) -> Float {
        var d = 0.0
        for (k, v) in zip(center.indices, phi) { let t = Double(v - center[k]); d += t * t }
        return Float(d)
    }

    /// `‖φᵢ − c‖²` for every row of `z` (N, d).
    public func distancesSquared(rows z: Tensor) -> [Float] {
        let d = center.count
        return (0..<z.shape[0]).map { distanceSquared(z.scalars[($0 * d)..<(($0 + 1) * d)]) }
    }

    /// Where a score puts a sample.
    public func zone(score s: Float) -> Zone {
        s <= 0 ? .inside : (s < marginSquared ? .marginBand : .outside)
    }
}

/// Where a sample lies relative to the sphere: inside (`s ≤ 0`), in the margin band
/// (`0 < s < ρ²`: outside the sphere, flagged, but closer than a labeled anomaly must be), or
/// outside the margin (`s ≥ ρ²`).
public enum Zone: String, Sendable, Codable, CaseIterable {
    case inside, marginBand = "margin band", outside
}
