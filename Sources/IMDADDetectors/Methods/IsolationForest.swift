// Isolation Forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008).
//
// `IsolationForest` is the configuration; `fit` grows `treeCount` isolation trees, each on a
// subsample of ψ = min(subsampleSize, n) rows drawn without replacement, and returns an
// `IsolationForest.Model` whose trees are stored as flat arrays (so it serialises into a model
// file with any Codable encoder). `Model.scores` returns the anomaly score
//
//     s(x, ψ) = 2^( −E[h(x)] / c(ψ) )          (in (0, 1]; higher = more anomalous)
//
// where h(x) is the path length of x in one tree and E[·] the mean over the trees.
//
// Depends only on Foundation.

import Foundation

/// An error raised by `IsolationForest.fit`.
public struct IsolationForestError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// There are no rows to fit on.
        case emptyData
        /// `features[row * columns + column]` is NaN or infinite.
        case nonFiniteValue(row: Int, column: Int)
        /// A configuration field is out of range (`treeCount`, `subsampleSize` must be >= 1,
        /// `maxDepth` >= 0).
        case invalidConfiguration(String)
    }

    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var description: String {
        switch kind {
        case .emptyData:
            return "IsolationForestError: no rows to fit on"
        case let .nonFiniteValue(row, column):
            return "IsolationForestError: feature value at row \(row), column \(column) is NaN or infinite"
        case let .invalidConfiguration(message):
            return "IsolationForestError: invalid configuration: \(message)"
        }
    }
}

/// Isolation Forest configuration (Liu, Ting & Zhou, ICDM 2008).
public struct IsolationForest: Sendable, Codable, Equatable {
    /// Number of isolation trees t (paper default 100).
    public var treeCount: Int
    /// Subsample size ψ per tree (paper default 256); the fitted ψ is min(subsampleSize, rows).
    public var subsampleSize: Int
    /// Height limit per tree; `nil` means the paper's default ceil(log2 ψ).
    public var maxDepth: Int?
    /// Fraction of the training rows the detector's threshold flags (the (1 − contamination)
    /// quantile of their scores).
    public var contamination: Float = 0.1

    public init(treeCount: Int = 100, subsampleSize: Int = 256, maxDepth: Int? = nil, contamination: Float = 0.1) {
        self.treeCount = treeCount
        self.subsampleSize = subsampleSize
        self.maxDepth = maxDepth
        self.contamination = contamination
    }

    private enum CodingKeys: String, CodingKey { case treeCount, subsampleSize, maxDepth, contamination }

    /// Model files written before `contamination` was stored here read it as 0.1 (their threshold
    /// is stored beside and stays as trained).
    public init(from decoder: any Decoder) throws {
        let k = try decoder.container(keyedBy: CodingKeys.self)
        self.init(treeCount: try k.decode(Int.self, forKey: .treeCount), subsampleSize: try k.decode(Int.self, forKey: .subsampleSize),
                  maxDepth: try k.decodeIfPresent(Int.self, forKey: .maxDepth),
                  contamination: try k.decodeIfPresent(Float.self, forKey: .contamination) ?? 0.1)
    }

    /// Checks every setting; the error names the parameter (`treeCount`, …).
    public func validate() throws(DetectorError) {
        try check("treeCount", treeCount, treeCount >= 1, "≥ 1")
        try check("subsampleSize", subsampleSize, subsampleSize >= 2, "≥ 2")
        if let h = maxDepth { try check("maxDepth", h, h >= 1, "≥ 1") }
        try check("contamination", contamination, contamination > 0 && contamination < 1, "in (0, 1)")
    }

    /// Average path length of an unsuccessful binary-search-tree search among n points, used
    /// both to normalise path lengths and to account for unbuilt subtrees at external nodes:
    ///
    ///     c(n) = 2 H(n − 1) − 2 (n − 1) / n   for n > 2,   H(i) ≈ ln(i) + 0.5772156649 (Euler's γ)
    ///     c(2) = 1,   c(n) = 0 for n <= 1.
    ///
    /// For example c(256) ≈ 10.2448.
    public static func averagePathLength(_ n: Int) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        let m = Double(n - 1)
        return 2 * (log(m) + 0.5772156649) - 2 * m / Double(n)
    }

    /// Fits the forest on a row-major matrix `features` of `rows` × `columns`.
    ///
    /// Each tree: draw ψ = min(subsampleSize, rows) distinct rows (without replacement); grow
    /// the tree recursively: a node becomes external when its depth reaches the height limit,
    /// it holds at most one row, or every feature is constant on its rows; otherwise choose a
    /// feature uniformly among those with max > min on the node's rows and a split value p
    /// uniformly in (min, max); rows with x < p go left, the others right.
    ///
    /// Deterministic for a given generator state (all randomness comes from `rng.next()`).
    ///
    /// - Precondition: `rows >= 0`, `columns >= 0`, `features.count == rows * columns`.
    /// - Throws: `IsolationForestError` when `rows == 0`, when a value is NaN or infinite, or
    ///   when the configuration is out of range.
    public func fit(features: [Double], rows: Int, columns: Int,
                    using rng: inout some RandomNumberGenerator) throws -> Model {
        precondition(rows >= 0 && columns >= 0, "IsolationForest.fit: negative rows or columns")
        precondition(features.count == rows * columns,
                     "IsolationForest.fit: features.count (\(features.count)) != rows (\(rows)) * columns (\(columns))")
        guard treeCount >= 1 else { throw IsolationForestError(.invalidConfiguration("treeCount must be >= 1, got \(treeCount)")) }
        guard subsampleSize >= 1 else {
            throw IsolationForestError(.invalidConfiguration("subsampleSize must be >= 1, got \(subsampleSize)"))
        }
        if let maxDepth, maxDepth < 0 { throw IsolationForestError(.invalidConfiguration("maxDepth must be >= 0, got \(maxDepth)")) }
        guard rows > 0 else { throw IsolationForestError(.emptyData) }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw IsolationForestError(.nonFiniteValue(row: bad / columns, column: bad % columns))
        }

        let psi = min(subsampleSize, rows)
        let heightLimit = maxDepth ?? Int(ceil(log2(Double(psi))))
        var builder = TreeBuilder(features: features, columns: columns, heightLimit: heightLimit, capacity: psi)
        builder.reserve(nodes: treeCount * max(1, min(2 * psi - 1, (1 << min(heightLimit + 1, 40)) - 1)))

        // A permutation of all row indices; a partial Fisher-Yates shuffle of its first ψ slots
        // yields a uniform subsample without replacement in O(ψ) per tree.
        var permutation = Array(0..<rows)
        var roots: [Int32] = []
        roots.reserveCapacity(treeCount)
        for _ in 0..<treeCount {
            if psi < rows {
                for i in 0..<psi {
                    let j = i + Int(rng.next(upperBound: UInt64(rows - i)))
                    permutation.swapAt(i, j)
                }
            }
            roots.append(builder.grow(sample: permutation[0..<psi], using: &rng))
        }
        return Model(columns: columns, sampleSize: psi, heightLimit: heightLimit, treeRoots: roots,
                     splitFeature: builder.splitFeature, splitValue: builder.splitValue,
                     leftChild: builder.leftChild, rightChild: builder.rightChild, nodeSize: builder.nodeSize)
    }

    /// Convenience: fits with the system random number generator (not reproducible).
    public func fit(features: [Double], rows: Int, columns: Int) throws -> Model {
        var rng = SystemRandomNumberGenerator()
        return try fit(features: features, rows: rows, columns: columns, using: &rng)
    }

    // MARK: - Fitted model

    /// A fitted isolation forest. All trees live in shared flat node arrays (index = node id);
    /// node ids of one tree are contiguous and in pre-order, so every child id is greater than
    /// its parent's. `splitFeature[i] == -1` marks an external node (then `leftChild[i]` and
    /// `rightChild[i]` are -1 and `splitValue[i]` is 0). An internal node sends x left when
    /// `x[splitFeature] < splitValue`, otherwise right. `nodeSize[i]` is the number of training
    /// (subsample) rows that reached node i.
    public struct Model: Sendable, Codable, Equatable {
        /// Number of feature columns the model was fitted on.
        public let columns: Int
        /// ψ actually used: min(subsampleSize, training rows). Scores are normalised by c(ψ).
        public let sampleSize: Int
        /// Height limit the trees were grown with.
        public let heightLimit: Int
        /// Root node id of each tree.
        public let treeRoots: [Int32]
        public let splitFeature: [Int32]
        public let splitValue: [Double]
        public let leftChild: [Int32]
        public let rightChild: [Int32]
        public let nodeSize: [Int32]

        public var treeCount: Int { treeRoots.count }
        public var nodeCount: Int { splitFeature.count }

        init(columns: Int, sampleSize: Int, heightLimit: Int, treeRoots: [Int32],
             splitFeature: [Int32], splitValue: [Double], leftChild: [Int32], rightChild: [Int32],
             nodeSize: [Int32]) {
            self.columns = columns
            self.sampleSize = sampleSize
            self.heightLimit = heightLimit
            self.treeRoots = treeRoots
            self.splitFeature = splitFeature
            self.splitValue = splitValue
            self.leftChild = leftChild
            self.rightChild = rightChild
            self.nodeSize = nodeSize
        }

        private enum CodingKeys: String, CodingKey {
            case columns, sampleSize, heightLimit, treeRoots, splitFeature, splitValue, leftChild, rightChild, nodeSize
        }

        /// Decodes and validates the structure (array lengths, child ids pointing forward and in
        /// range, feature ids in range), so a corrupt model file fails with `DecodingError`
        /// instead of crashing or looping at scoring time.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(columns: try c.decode(Int.self, forKey: .columns),
                      sampleSize: try c.decode(Int.self, forKey: .sampleSize),
                      heightLimit: try c.decode(Int.self, forKey: .heightLimit),
                      treeRoots: try c.decode([Int32].self, forKey: .treeRoots),
                      splitFeature: try c.decode([Int32].self, forKey: .splitFeature),
                      splitValue: try c.decode([Double].self, forKey: .splitValue),
                      leftChild: try c.decode([Int32].self, forKey: .leftChild),
                      rightChild: try c.decode([Int32].self, forKey: .rightChild),
                      nodeSize: try c.decode([Int32].self, forKey: .nodeSize))
            if let problem = validationProblem() {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "Invalid IsolationForest.Model: \(problem)"))
            }
        }

        /// A model from its arrays (e.g. read from a model file), with the structure validated.
        public static func validated(columns: Int, sampleSize: Int, heightLimit: Int, treeRoots: [Int32],
                                     splitFeature: [Int32], splitValue: [Double], leftChild: [Int32],
                                     rightChild: [Int32], nodeSize: [Int32]) -> Result<Model, IsolationForestError> {
            let m = Model(columns: columns, sampleSize: sampleSize, heightLimit: heightLimit, treeRoots: treeRoots,
                          splitFeature: splitFeature, splitValue: splitValue, leftChild: leftChild,
                          rightChild: rightChild, nodeSize: nodeSize)
            if let problem = m.validationProblem() { return .failure(IsolationForestError(.invalidConfiguration(problem))) }
            return .success(m)
        }

        private func validationProblem() -> String? {
            let n = splitFeature.count
            if columns < 0 { return "negative columns" }
            if sampleSize < 1 { return "sampleSize must be >= 1" }
            if heightLimit < 0 { return "negative heightLimit" }
            if treeRoots.isEmpty { return "no trees" }
            if splitValue.count != n || leftChild.count != n || rightChild.count != n || nodeSize.count != n {
                return "node arrays have different lengths"
            }
            for root in treeRoots where root < 0 || Int(root) >= n { return "tree root \(root) out of range" }
            for i in 0..<n {
                let f = splitFeature[i]
                if nodeSize[i] < 0 { return "negative size at node \(i)" }
                if f == -1 { continue }
                if f < 0 || Int(f) >= columns { return "split feature \(f) out of range at node \(i)" }
                let l = Int(leftChild[i]), r = Int(rightChild[i])
                if l <= i || l >= n || r <= i || r >= n { return "child ids of node \(i) must be greater than \(i) and < \(n)" }
            }
            return nil
        }

        /// Anomaly scores s(x, ψ) = 2^(−E[h(x)] / c(ψ)) for each row of a row-major
        /// `rows` × `columns` matrix, in (0, 1]; higher = more anomalous.
        ///
        /// h(x) = e + c(size), where e is the number of edges from the root to the external node
        /// x lands in and `size` that node's training size (c(size) estimates the path length in
        /// the subtree that the height limit left unbuilt; it is 0 for size <= 1). E[h(x)] is the
        /// mean over the trees, and c is `IsolationForest.averagePathLength`. When ψ = 1,
        /// c(ψ) = 0 and every score is defined as 0.5 (as scikit-learn does).
        ///
        /// Comparisons use `x < splitValue`, so a NaN feature always goes right.
        /// - Precondition: `columns == self.columns`, `features.count == rows * columns`.
        public func scores(features: [Double], rows: Int, columns: Int) -> [Double] {
            let depths = meanPathLengths(features: features, rows: rows, columns: columns)
            let normaliser = IsolationForest.averagePathLength(sampleSize)
            guard normaliser > 0 else { return [Double](repeating: 0.5, count: rows) }
            return depths.map { pow(2, -$0 / normaliser) }
        }

        /// E[h(x)]: the mean path length over the trees (see `scores`) for each row.
        /// - Precondition: `columns == self.columns`, `features.count == rows * columns`.
        public func meanPathLengths(features: [Double], rows: Int, columns: Int) -> [Double] {
            precondition(columns == self.columns,
                         "IsolationForest.Model: fitted on \(self.columns) columns, got \(columns)")
            precondition(rows >= 0 && features.count == rows * columns,
                         "IsolationForest.Model: features.count (\(features.count)) != rows (\(rows)) * columns (\(columns))")
            // Packed copy for cache-friendly traversal: internal nodes hold (feature, children,
            // split value); external nodes hold feature -1 and c(size) in `value`.
            var packed = [PackedNode](repeating: PackedNode(feature: -1, left: 0, right: 0, value: 0), count: nodeCount)
            for i in 0..<nodeCount {
                packed[i] = splitFeature[i] < 0
                    ? PackedNode(feature: -1, left: 0, right: 0,
                                 value: IsolationForest.averagePathLength(Int(nodeSize[i])))
                    : PackedNode(feature: splitFeature[i], left: leftChild[i], right: rightChild[i], value: splitValue[i])
            }
            var result = [Double](repeating: 0, count: rows)
            let trees = Double(treeRoots.count)
            // Tree-major over blocks of rows keeps one tree hot in cache; four rows are walked
            // together so their independent dependency chains overlap.
            let block = 256
            features.withUnsafeBufferPointer { x in
            packed.withUnsafeBufferPointer { nodes in
            result.withUnsafeMutableBufferPointer { out in
                var blockStart = 0
                while blockStart < rows {
                    let blockEnd = min(rows, blockStart + block)
                    for root in treeRoots {
                        let r = Int(root)
                        var row = blockStart
                        while row + 4 <= blockEnd {
                            let (h0, h1, h2, h3) = Self.walk4(nodes, x, root: r,
                                                              row * columns, (row + 1) * columns,
                                                              (row + 2) * columns, (row + 3) * columns)
                            out[row] += h0; out[row + 1] += h1; out[row + 2] += h2; out[row + 3] += h3
                            row += 4
                        }
                        while row < blockEnd {
                            out[row] += Self.walk(nodes, x, root: r, base: row * columns)
                            row += 1
                        }
                    }
                    for row in blockStart..<blockEnd { out[row] /= trees }
                    blockStart = blockEnd
                }
            }}}
            return result
        }

        fileprivate struct PackedNode {
            var feature: Int32
            var left: Int32
            var right: Int32
            var value: Double
        }

        /// Path length h(x) of the row at `base` in the tree rooted at `root`.
        @inline(__always)
        fileprivate static func walk(_ nodes: UnsafeBufferPointer<PackedNode>, _ x: UnsafeBufferPointer<Double>,
                                     root: Int, base: Int) -> Double {
            var node = root
            var edges = 0
            while true {
                let n = nodes[node]
                if n.feature < 0 { return Double(edges) + n.value }
                node = Int(x[base + Int(n.feature)] < n.value ? n.left : n.right)
                edges += 1
            }
        }

        /// `walk` for four rows at once (independent chains overlap in the pipeline).
        @inline(__always)
        fileprivate static func walk4(_ nodes: UnsafeBufferPointer<PackedNode>, _ x: UnsafeBufferPointer<Double>,
                                      root: Int, _ b0: Int, _ b1: Int, _ b2: Int, _ b3: Int)
            -> (Double, Double, Double, Double) {
            var n0 = root, n1 = root, n2 = root, n3 = root
            var e0 = 0, e1 = 0, e2 = 0, e3 = 0
            while true {
                let a = nodes[n0], b = nodes[n1], c = nodes[n2], d = nodes[n3]
                let live0 = a.feature >= 0, live1 = b.feature >= 0, live2 = c.feature >= 0, live3 = d.feature >= 0
                if !(live0 || live1 || live2 || live3) {
                    return (Double(e0) + a.value, Double(e1) + b.value, Double(e2) + c.value, Double(e3) + d.value)
                }
                if live0 { n0 = Int(x[b0 + Int(a.feature)] < a.value ? a.left : a.right); e0 += 1 }
                if live1 { n1 = Int(x[b1 + Int(b.feature)] < b.value ? b.left : b.right); e1 += 1 }
                if live2 { n2 = Int(x[b2 + Int(c.feature)] < c.value ? c.left : c.right); e2 += 1 }
                if live3 { n3 = Int(x[b3 + Int(d.feature)] < d.value ? d.left : d.right); e3 += 1 }
            }
        }
    }
}

// MARK: - Tree construction

/// Grows isolation trees into shared flat arrays.
private struct TreeBuilder {
    let features: [Double]
    let columns: Int
    let heightLimit: Int

    var splitFeature: [Int32] = []
    var splitValue: [Double] = []
    var leftChild: [Int32] = []
    var rightChild: [Int32] = []
    var nodeSize: [Int32] = []

    /// Row indices of the current tree's subsample, partitioned in place as nodes split.
    private var rows: [Int]
    private var lower: [Double]
    private var upper: [Double]
    private var candidates: [Int]

    init(features: [Double], columns: Int, heightLimit: Int, capacity: Int) {
        self.features = features
        self.columns = columns
        self.heightLimit = heightLimit
        self.rows = []
        self.rows.reserveCapacity(capacity)
        self.lower = [Double](repeating: 0, count: columns)
        self.upper = [Double](repeating: 0, count: columns)
        self.candidates = []
        self.candidates.reserveCapacity(columns)
    }

    mutating func reserve(nodes: Int) {
        splitFeature.reserveCapacity(nodes)
        splitValue.reserveCapacity(nodes)
        leftChild.reserveCapacity(nodes)
        rightChild.reserveCapacity(nodes)
        nodeSize.reserveCapacity(nodes)
    }

    /// Grows one tree on `sample` (distinct row indices); returns its root id.
    mutating func grow(sample: ArraySlice<Int>, using rng: inout some RandomNumberGenerator) -> Int32 {
        rows.removeAll(keepingCapacity: true)
        rows.append(contentsOf: sample)
        return build(start: 0, end: rows.count, depth: 0, using: &rng)
    }

    /// Builds the subtree over `rows[start..<end]` in pre-order; returns its node id.
    private mutating func build(start: Int, end: Int, depth: Int,
                                using rng: inout some RandomNumberGenerator) -> Int32 {
        let id = Int32(splitFeature.count)
        let size = end - start
        splitFeature.append(-1)
        splitValue.append(0)
        leftChild.append(-1)
        rightChild.append(-1)
        nodeSize.append(Int32(size))
        if depth >= heightLimit || size <= 1 { return id }

        // Per-feature range over the node's rows; candidates are the non-constant features.
        candidates.removeAll(keepingCapacity: true)
        features.withUnsafeBufferPointer { x in
            for f in 0..<columns {
                var lo = x[rows[start] * columns + f], hi = lo
                for k in (start + 1)..<end {
                    let v = x[rows[k] * columns + f]
                    if v < lo { lo = v } else if v > hi { hi = v }
                }
                lower[f] = lo
                upper[f] = hi
                if hi > lo { candidates.append(f) }
            }
        }
        if candidates.isEmpty { return id }

        let f = candidates[Int(rng.next(upperBound: UInt64(candidates.count)))]
        let lo = lower[f], hi = upper[f]
        // Uniform in [0, 1) from the top 53 bits, then forced into (lo, hi] so both sides are
        // non-empty (the row holding `lo` goes left, the row holding `hi` right).
        let u = Double(rng.next() >> 11) * 0x1p-53
        var p = lo + u * (hi - lo)
        if !(p > lo) { p = lo.nextUp }
        if !(p <= hi) { p = hi }

        // Partition rows[start..<end]: x[f] < p first.
        var mid = start
        features.withUnsafeBufferPointer { x in
            for k in start..<end where x[rows[k] * columns + f] < p {
                rows.swapAt(k, mid)
                mid += 1
            }
        }
        splitFeature[Int(id)] = Int32(f)
        splitValue[Int(id)] = p
        let l = build(start: start, end: mid, depth: depth + 1, using: &rng)
        let r = build(start: mid, end: end, depth: depth + 1, using: &rng)
        leftChild[Int(id)] = l
        rightChild[Int(id)] = r
        return id
    }
}
