// Summary statistics shared by the CLI tables and the experiment harness.

/// Mean and sample standard deviation of `x`:
///
///     mean = (1/n) Σᵢ xᵢ,    s = √( Σᵢ (xᵢ − mean)² / (n − 1) )
///
/// with the Bessel-corrected divisor n − 1 (the spread of runs over seeds/splits as reported in
/// the tables), replaced by 1 when n = 1 so that one run has deviation 0. An empty array gives
/// (nan, nan).
public func meanAndStandardDeviation(_ x: [Double]) -> (mean: Double, standardDeviation: Double) {
    guard !x.isEmpty else { return (.nan, .nan) }
    let m = x.reduce(0, +) / Double(x.count)
    let v = x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(x.count - 1, 1))
    return (m, v.squareRoot())
}
