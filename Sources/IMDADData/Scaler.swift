import Foundation

/// The Deep SAD preprocessing: standardization followed by min-max scaling, both fitted on
/// training rows, matching scikit-learn's `StandardScaler` then `MinMaxScaler`.
///
/// For each column j, fitted on the training rows x₁…xₙ:
///
///     mean_j = (1/n) Σ x_ij
///     std_j  = sqrt((1/n) Σ (x_ij − mean_j)²)          population std (ddof = 0)
///     z_ij   = (x_ij − mean_j) / s_j,   s_j = std_j, or 1 if the column is constant
///     min_j  = min_i z_ij,  range_j = max_i z_ij − min_i z_ij
///     out_ij = (z_ij − min_j) / r_j,    r_j = range_j, or 1 if range_j < 10·ε
///
/// A column counts as constant as in scikit-learn: var ≤ n·ε·var + (n·mean·ε)² with ε the
/// Double machine epsilon. Training rows map into [0, 1]; other rows may fall outside.
public struct StandardMinMaxScaler: Codable, Equatable, Sendable {
    /// Column means of the raw training data.
    public var mean: [Double]
    /// Divisors of the standardization step (std, or 1 for constant columns).
    public var scale: [Double]
    /// Column minima of the standardized training data.
    public var minimum: [Double]
    /// Divisors of the min-max step (max − min of standardized data, or 1 when ~0).
    public var range: [Double]

    public init(mean: [Double], scale: [Double], minimum: [Double], range: [Double]) {
        self.mean = mean
        self.scale = scale
        self.minimum = minimum
        self.range = range
    }

    /// Number of columns the scaler was fitted on.
    public var columns: Int { mean.count }

    /// Fits on all rows of `data`.
    public static func fit(_ data: TabularData) throws -> StandardMinMaxScaler {
        try fit(data.features, rows: data.rows, columns: data.columns)
    }

    /// Fits on a row-major `rows × columns` matrix.
    public static func fit(_ values: [Double], rows: Int, columns: Int) throws -> StandardMinMaxScaler {
        guard rows > 0, columns > 0 else {
            throw DataError(.empty, file: nil, position: "scaler fit", expected: "at least one row and one column",
                            found: "\(rows) × \(columns)")
        }
        guard values.count == rows * columns else {
            throw DataError(.shapeMismatch, file: nil, position: "scaler fit",
                            expected: "\(rows * columns) values for \(rows) × \(columns)", found: "\(values.count)")
        }
        let n = Double(rows)
        var mean = [Double](repeating: 0, count: columns)
        var variance = [Double](repeating: 0, count: columns)
        values.withUnsafeBufferPointer { v in
            for i in 0..<rows { for j in 0..<columns { mean[j] += v[i * columns + j] } }
            for j in 0..<columns { mean[j] /= n }
            for i in 0..<rows {
                for j in 0..<columns {
                    let d = v[i * columns + j] - mean[j]
                    variance[j] += d * d
                }
            }
        }
        let eps = Double.ulpOfOne
        var scale = [Double](repeating: 1, count: columns)
        for j in 0..<columns {
            variance[j] /= n
            let bound = n * eps * variance[j] + (n * mean[j] * eps) * (n * mean[j] * eps)
            let constant = rows == 1 || variance[j] <= bound
            scale[j] = constant ? 1 : variance[j].squareRoot()
        }
        var lo = [Double](repeating: .infinity, count: columns)
        var hi = [Double](repeating: -.infinity, count: columns)
        values.withUnsafeBufferPointer { v in
            for i in 0..<rows {
                for j in 0..<columns {
                    let z = (v[i * columns + j] - mean[j]) / scale[j]
                    if z < lo[j] { lo[j] = z }
                    if z > hi[j] { hi[j] = z }
                }
            }
        }
        var range = [Double](repeating: 1, count: columns)
        for j in 0..<columns {
            let r = hi[j] - lo[j]
            range[j] = r < 10 * eps ? 1 : r
        }
        return StandardMinMaxScaler(mean: mean, scale: scale, minimum: lo, range: range)
    }

    /// What makes this scaler unusable, or nil: its four arrays must have one value per column,
    /// all finite, with positive divisors (a scaler read from a file may be damaged).
    public var inconsistency: String? {
        let named = [("mean", mean), ("scale", scale), ("minimum", minimum), ("range", range)]
        for (name, v) in named where v.count != columns { return "'\(name)' has \(v.count) values; 'mean' has \(columns)" }
        for (name, v) in named {
            if let j = v.firstIndex(where: { !$0.isFinite }) { return "'\(name)'[\(j)] is \(v[j]); expected a finite number" }
        }
        for (name, v) in [("scale", scale), ("range", range)] {
            if let j = v.firstIndex(where: { !($0 > 0) }) { return "'\(name)'[\(j)] is \(v[j]); expected a positive divisor" }
        }
        return nil
    }

    private func check(_ count: Int, columns: Int) throws {
        if let problem = inconsistency {
            throw DataError(.malformedHeader, file: nil, position: "scaler", expected: "a consistent fitted scaler", found: problem)
        }
        guard columns == self.columns, count % Swift.max(columns, 1) == 0 else {
            throw DataError(.shapeMismatch, file: nil, position: "scaler transform",
                            expected: "\(self.columns) columns (as fitted)", found: "\(columns) columns")
        }
    }

    /// Transforms a row-major matrix with `columns` columns to Double.
    public func transformDouble(_ values: [Double], columns: Int) throws -> [Double] {
        try transformed(values, columns: columns) { $0 }
    }

    /// Transforms a row-major matrix with `columns` columns to Float (what the networks consume):
    /// the same Double arithmetic as ``transformDouble(_:columns:)``, rounded once, in one pass.
    public func transform(_ values: [Double], columns: Int) throws -> [Float] {
        try transformed(values, columns: columns) { Float($0) }
    }

    /// `((x − mean) / scale − minimum) / range` for every value, in Double, then `convert`. One pass
    /// over raw pointers, so that the loop over a row's columns vectorizes (scoring a wide table spent
    /// more time here than in the network: `experiments/onnx/README.md`).
    @inline(__always)
    private func transformed<T>(_ values: [Double], columns c: Int, _ convert: (Double) -> T) throws -> [T] {
        try check(values.count, columns: c)
        let rows = values.count / Swift.max(c, 1)
        return [T](unsafeUninitializedCapacity: values.count) { out, n in
            values.withUnsafeBufferPointer { v in
                mean.withUnsafeBufferPointer { mean in
                    scale.withUnsafeBufferPointer { scale in
                        minimum.withUnsafeBufferPointer { minimum in
                            range.withUnsafeBufferPointer { range in
                                guard let v = v.baseAddress, let o = out.baseAddress, let mean = mean.baseAddress,
                                      let scale = scale.baseAddress, let minimum = minimum.baseAddress,
                                      let range = range.baseAddress else { return }
                                for i in 0..<rows {
                                    let x = v + i * c, y = o + i * c
                                    for j in 0..<c {
                                        (y + j).initialize(to: convert(((x[j] - mean[j]) / scale[j] - minimum[j]) / range[j]))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            n = values.count
        }
    }

    /// Transforms a table to row-major Float.
    public func transform(_ data: TabularData) throws -> [Float] {
        try transform(data.features, columns: data.columns)
    }
}
