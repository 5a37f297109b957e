// Mini-batch samplers: balanced (labeled anomalies in every batch) and uniform (Deep SAD's loader).

import IMDADEngine

/// How mini-batches are drawn from `n` normal (or unlabeled) rows and `m` labeled anomalies.
public enum BatchSampler: String, Sendable, Codable, CaseIterable {
    /// Every batch holds `B − k` normals and `k` labeled anomalies, the anomalies drawn by cycling
    /// through a shuffled list (oversampling, spec §4). One epoch = one pass over the normals.
    case balanced
    /// Normals and anomalies shuffled together, `⌊(n + m)/B⌋` full batches (Deep SAD's loader).
    case uniform
}

/// One mini-batch: rows of the normal set and rows of the anomaly set.
public struct MiniBatch: Sendable, Equatable {
    public var normal: [Int]
    public var anomalous: [Int]
    public var count: Int { normal.count + anomalous.count }
}

/// `k = max(4, round(B·m/(n + m)))`, at most `m`: anomalies per balanced batch.
public func defaultAnomaliesPerBatch(batchSize: Int, normals n: Int, anomalies m: Int) -> Int {
    guard m > 0 else { return 0 }
    let proportional = Int((Double(batchSize) * Double(m) / Double(max(1, n + m))).rounded())
    return min(max(4, proportional), m, max(1, batchSize - 1))
}

/// The batches of one epoch.
public func epochBatches(sampler: BatchSampler, normals n: Int, anomalies m: Int, batchSize: Int,
                         anomaliesPerBatch k: Int, using rng: inout RandomGenerator) -> [MiniBatch] {
    precondition(batchSize >= 2 && n + m > 0)
    switch sampler {
    case .balanced:
        let kk = m > 0 ? max(1, min(k, m)) : 0
        let bn = batchSize - kk
        let count = max(1, n / max(bn, 1))
        let perm = rng.permutation(n)
        var aPerm = rng.permutation(m), aPos = 0
        var out: [MiniBatch] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let normal = Array(perm[min(n, i * bn)..<min(n, (i + 1) * bn)])
            var anomalous: [Int] = []
            while anomalous.count < kk {
                if aPos >= m { aPerm = rng.permutation(m); aPos = 0 }
                anomalous.append(aPerm[aPos]); aPos += 1
            }
            out.append(MiniBatch(normal: normal, anomalous: anomalous))
        }
        return out
    case .uniform:
        let perm = rng.permutation(n + m)
        let count = max(1, (n + m) / batchSize)
        let size = (n + m) < batchSize ? n + m : batchSize
        return (0..<count).map { i in
            let p = perm[(i * size)..<((i + 1) * size)]
            return MiniBatch(normal: p.filter { $0 < n }, anomalous: p.filter { $0 >= n }.map { $0 - n })
        }
    }
}
