// Evaluation metrics for anomaly detectors: AUROC, average precision, ROC and
// precision-recall curves, and a confusion matrix.
//
// Conventions used throughout:
//   * a higher score means "more anomalous";
//   * label 1 marks an anomaly (the positive class), label 0 a normal sample;
//     any other label value is rejected with `MetricsError`;
//   * a sample is predicted anomalous at threshold t when score >= t, so samples
//     with tied scores always change side together.
//
// Depends only on Foundation.

import Foundation

/// An error raised by `Metrics` for invalid input.
public struct MetricsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// `scores` (or `predictions`) and `labels` have different lengths.
        case lengthMismatch(scores: Int, labels: Int)
        /// No samples at all.
        case emptyInput
        /// Only one class occurs in `labels` (`label` is the class present), so the
        /// metric is undefined (e.g. AUROC needs at least one anomaly and one normal sample).
        case singleClass(label: Int, count: Int)
        /// `scores[index]` is NaN; NaN cannot be ranked.
        case nanScore(index: Int)
        /// `labels[index]` is neither 0 nor 1.
        case invalidLabel(index: Int, value: Int)
    }

    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var description: String {
        switch kind {
        case let .lengthMismatch(scores, labels):
            return "MetricsError: length mismatch: \(scores) scores/predictions but \(labels) labels"
        case .emptyInput:
            return "MetricsError: empty input: at least one sample is required"
        case let .singleClass(label, count):
            let name = label == 1 ? "anomalies (label 1)" : "normal samples (label 0)"
            return "MetricsError: only one class present (all \(count) samples are \(name)); "
                + "the metric is undefined"
        case let .nanScore(index):
            return "MetricsError: score at index \(index) is NaN"
        case let .invalidLabel(index, value):
            return "MetricsError: label at index \(index) is \(value); labels must be 0 (normal) or 1 (anomaly)"
        }
    }
}

/// Namespace for evaluation metrics. See the file header for conventions.
public enum Metrics {

    // MARK: - Result types

    /// One point of a ROC curve: at `threshold` (predict anomaly iff score >= threshold)
    /// the false-positive rate is `fpr` = FP/N and the true-positive rate `tpr` = TP/P.
    public struct ROCPoint: Equatable, Sendable, Codable {
        public var fpr: Double
        public var tpr: Double
        public var threshold: Double
        public init(fpr: Double, tpr: Double, threshold: Double) {
            self.fpr = fpr; self.tpr = tpr; self.threshold = threshold
        }
    }

    /// One point of a precision-recall curve: at `threshold` (predict anomaly iff
    /// score >= threshold) recall = TP/P and precision = TP/(TP+FP).
    public struct PRPoint: Equatable, Sendable, Codable {
        public var recall: Double
        public var precision: Double
        public var threshold: Double
        public init(recall: Double, precision: Double, threshold: Double) {
            self.recall = recall; self.precision = precision; self.threshold = threshold
        }
    }

    /// A binary confusion matrix (positive = anomaly = label 1) with derived rates.
    ///
    /// Ratios whose denominator is zero are defined as 0 (not NaN):
    ///   precision = tp / (tp + fp)                      (0 when tp + fp == 0)
    ///   recall    = tp / (tp + fn)                      (0 when tp + fn == 0)
    ///   f1        = 2 · precision · recall / (precision + recall)
    ///             = 2tp / (2tp + fp + fn)               (0 when tp == 0)
    ///   accuracy  = (tp + tn) / (tp + fp + tn + fn)     (0 when there are no samples)
    public struct Confusion: Equatable, Sendable, Codable {
        public var tp: Int
        public var fp: Int
        public var tn: Int
        public var fn: Int

        public init(tp: Int, fp: Int, tn: Int, fn: Int) {
            self.tp = tp; self.fp = fp; self.tn = tn; self.fn = fn
        }

        public var total: Int { tp + fp + tn + fn }
        public var precision: Double { Metrics.ratio(tp, tp + fp) }
        public var recall: Double { Metrics.ratio(tp, tp + fn) }
        public var f1: Double { Metrics.ratio(2 * tp, 2 * tp + fp + fn) }
        public var accuracy: Double { Metrics.ratio(tp + tn, total) }
        /// Share of the normals that are flagged: fp / (fp + tn).
        public var falsePositiveRate: Double { Metrics.ratio(fp, fp + tn) }
    }

    // MARK: - AUROC

    /// Area under the ROC curve, computed exactly as the normalised Mann-Whitney U statistic
    /// with average ranks for ties (a tied anomaly/normal pair counts 1/2):
    ///
    ///     AUROC = U / (n₊ n₋),   U = R₊ − n₊(n₊ + 1)/2
    ///           = (1 / (n₊ n₋)) Σ_{i ∈ anomalies} Σ_{j ∈ normals} [ 1(s_i > s_j) + ½ · 1(s_i = s_j) ]
    ///
    /// where R₊ is the sum of the (average, ascending) ranks of the anomalies. This equals
    /// the trapezoidal area under `rocCurve` and sklearn's `roc_auc_score`.
    /// Integer arithmetic keeps it exact; cost O(n log n).
    ///
    /// - Throws: `MetricsError` for mismatched lengths, empty input, NaN scores, labels other
    ///   than 0/1, or when only one class is present.
    public static func auroc(scores: [Double], labels: [Int]) throws -> Double {
        let (positives, negatives) = try validate(scores: scores, labels: labels)
        try requireBothClasses(positives: positives, negatives: negatives)
        // 2U = Σ over tie groups (descending): 2·p·(#negatives strictly below) + p·q.
        var twiceU = 0
        var negativesAbove = 0
        for group in tieGroups(scores: scores, labels: labels) {
            let below = negatives - negativesAbove - group.negatives
            twiceU += 2 * group.positives * below + group.positives * group.negatives
            negativesAbove += group.negatives
        }
        return Double(twiceU) / (2.0 * Double(positives) * Double(negatives))
    }

    // MARK: - Average precision

    /// Average precision, identical to sklearn's `average_precision_score` (no interpolation):
    ///
    ///     AP = Σ_n (R_n − R_{n−1}) · P_n,   R_0 = 0,
    ///
    /// where n runs over the distinct score thresholds in decreasing order (tied scores form
    /// one threshold) and P_n, R_n are precision and recall when predicting score >= threshold_n.
    ///
    /// Requires at least one anomaly; if all samples are anomalies the result is 1.
    /// - Throws: `MetricsError` (see `auroc`); `.singleClass` only when there is no anomaly.
    public static func averagePrecision(scores: [Double], labels: [Int]) throws -> Double {
        let curve = try precisionRecallCurve(scores: scores, labels: labels)
        var ap = 0.0
        for n in 1..<curve.count {
            ap += (curve[n].recall - curve[n - 1].recall) * curve[n].precision
        }
        return ap
    }

    // MARK: - Curves

    /// The ROC curve, one point per distinct score (tied scores collapsed to one point),
    /// in decreasing threshold order, preceded by (fpr 0, tpr 0, threshold +∞).
    /// This matches sklearn's `roc_curve(..., drop_intermediate=False)`.
    ///
    ///     fpr(t) = #{normals with s >= t} / n₋,   tpr(t) = #{anomalies with s >= t} / n₊
    ///
    /// The last point is always (1, 1, min score).
    /// - Throws: `MetricsError` (see `auroc`); both classes must be present.
    public static func rocCurve(scores: [Double], labels: [Int]) throws -> [ROCPoint] {
        let (positives, negatives) = try validate(scores: scores, labels: labels)
        try requireBothClasses(positives: positives, negatives: negatives)
        var points = [ROCPoint(fpr: 0, tpr: 0, threshold: .infinity)]
        var tp = 0, fp = 0
        for group in tieGroups(scores: scores, labels: labels) {
            tp += group.positives
            fp += group.negatives
            points.append(ROCPoint(fpr: Double(fp) / Double(negatives),
                                   tpr: Double(tp) / Double(positives),
                                   threshold: group.score))
        }
        return points
    }

    /// The precision-recall curve, one point per distinct score (tied scores collapsed to one
    /// point), in decreasing threshold order (recall non-decreasing), preceded by
    /// (recall 0, precision 1, threshold +∞).
    ///
    ///     precision(t) = TP(t) / (TP(t) + FP(t)),   recall(t) = TP(t) / n₊,   TP(t) = #{anomalies with s >= t}
    ///
    /// This is sklearn's `precision_recall_curve` output in reverse order (sklearn lists
    /// thresholds increasingly and appends the (recall 0, precision 1) point at the end
    /// without a threshold).
    /// - Throws: `MetricsError` (see `auroc`); `.singleClass` only when there is no anomaly.
    public static func precisionRecallCurve(scores: [Double], labels: [Int]) throws -> [PRPoint] {
        let (positives, _) = try validate(scores: scores, labels: labels)
        if positives == 0 { throw MetricsError(.singleClass(label: 0, count: scores.count)) }
        var points = [PRPoint(recall: 0, precision: 1, threshold: .infinity)]
        var tp = 0, fp = 0
        for group in tieGroups(scores: scores, labels: labels) {
            tp += group.positives
            fp += group.negatives
            points.append(PRPoint(recall: Double(tp) / Double(positives),
                                  precision: Double(tp) / Double(tp + fp),
                                  threshold: group.score))
        }
        return points
    }

    // MARK: - Confusion matrix

    /// Confusion matrix of hard predictions (`true` = predicted anomaly) against labels
    /// (1 = anomaly). See `Confusion` for the derived rates (0/0 is defined as 0).
    /// - Throws: `MetricsError` for mismatched lengths, empty input or labels other than 0/1.
    ///   A single class is allowed here.
    public static func confusion(predictions: [Bool], labels: [Int]) throws -> Confusion {
        guard predictions.count == labels.count else {
            throw MetricsError(.lengthMismatch(scores: predictions.count, labels: labels.count))
        }
        guard !labels.isEmpty else { throw MetricsError(.emptyInput) }
        var result = Confusion(tp: 0, fp: 0, tn: 0, fn: 0)
        for (index, (predicted, label)) in zip(predictions, labels).enumerated() {
            switch (predicted, label) {
            case (true, 1): result.tp += 1
            case (true, 0): result.fp += 1
            case (false, 0): result.tn += 1
            case (false, 1): result.fn += 1
            default: throw MetricsError(.invalidLabel(index: index, value: label))
            }
        }
        return result
    }

    // MARK: - Helpers

    static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    /// Checks lengths, emptiness, NaN scores and labels; returns (#anomalies, #normals).
    private static func validate(scores: [Double], labels: [Int]) throws -> (positives: Int, negatives: Int) {
        guard scores.count == labels.count else {
            throw MetricsError(.lengthMismatch(scores: scores.count, labels: labels.count))
        }
        guard !scores.isEmpty else { throw MetricsError(.emptyInput) }
        var positives = 0
        for i in scores.indices {
            if scores[i].isNaN { throw MetricsError(.nanScore(index: i)) }
            switch labels[i] {
            case 0: break
            case 1: positives += 1
            default: throw MetricsError(.invalidLabel(index: i, value: labels[i]))
            }
        }
        return (positives, scores.count - positives)
    }

    private static func requireBothClasses(positives: Int, negatives: Int) throws {
        if positives == 0 { throw MetricsError(.singleClass(label: 0, count: negatives)) }
        if negatives == 0 { throw MetricsError(.singleClass(label: 1, count: positives)) }
    }

    private struct TieGroup {
        var score: Double
        var positives: Int
        var negatives: Int
    }

    /// Groups of equal scores in decreasing score order, with their class counts.
    /// Input must be validated (no NaN, labels 0/1). O(n log n).
    private static func tieGroups(scores: [Double], labels: [Int]) -> [TieGroup] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var groups: [TieGroup] = []
        var i = 0
        while i < order.count {
            let score = scores[order[i]]
            var positives = 0
            var j = i
            while j < order.count && scores[order[j]] == score {
                positives += labels[order[j]]
                j += 1
            }
            groups.append(TieGroup(score: score, positives: positives, negatives: j - i - positives))
            i = j
        }
        return groups
    }
}
