// The rows `imdad score` and `imdad serve` write: score, percentile, zone and prediction per row,
// as CSV or JSON, one formatter for both so that the service answers what the command prints.

import Foundation
import IMDADData
import IMDADDetectors

/// The output formats of score rows.
public enum ScoreFormat: String, CaseIterable, Sendable { case csv, json }

/// A resolved threshold: flag `score > value` (or `score ≥ value` when `inclusive`, IMD-AD's
/// `outside` zone boundary), and the rule in words.
public struct ScoreCut: Sendable, Equatable {
    public var value: Float
    public var inclusive: Bool
    public var rule: String
    public init(value: Float, inclusive: Bool, rule: String) {
        self.value = value
        self.inclusive = inclusive
        self.rule = rule
    }
    public func flags(_ s: Float) -> Bool { inclusive ? s >= value : s > value }

    /// The model's own threshold (IMD-AD: the sphere, s > 0).
    public static func modelThreshold(_ model: TrainedModel) -> ScoreCut {
        let t = model.detector.threshold
        let rule = if case .imdad = model.fitted { "sphere: s > 0" } else { "the model's threshold: score > \(t)" }
        return ScoreCut(value: t, inclusive: false, rule: rule)
    }
}

/// Formats the output rows (taken out with `drain()` after each chunk). Each score prints with 9
/// significant digits (round-trips Float); the CSV's first line is its header.
public struct ScoreWriter: Sendable {
    public let format: ScoreFormat
    public let model: TrainedModel
    public let cut: ScoreCut
    public var idColumns: [String] = [] { didSet { idKeys = idColumns.map(Format.jsonString) } }
    /// The id columns as JSON keys, escaped once rather than per row.
    private var idKeys: [String] = []
    public private(set) var rowCount = 0
    public private(set) var flaggedCount = 0
    private var text = ""
    private var first = true

    public init(format: ScoreFormat, model: TrainedModel, threshold: ScoreCut) {
        self.format = format
        self.model = model
        self.cut = threshold
        let m = model.metadata
        if format == .json {
            text = "{\"method\":\(Format.jsonString(m.method.displayName)),\"library_version\":\(Format.jsonString(m.libraryVersion)),\"seed\":\(m.seed),"
                + "\"threshold\":\(cut.value),\"threshold_rule\":\(Format.jsonString(cut.rule)),\"rows\":["
        }
    }

    public mutating func add(scores: [Float], rows: [Int], ids: [[String]]?, labels: [Int]?) {
        let sphere: Sphere? = { if case .imdad(let d) = model.fitted { return d.sphere } else { return nil } }()
        let summary = model.metadata.training
        if format == .csv && first {
            text += (["row"] + idColumns.map(Format.csvField) + ["score"] + (summary != nil ? ["percentile"] : [])
                     + (sphere != nil ? ["zone"] : []) + ["prediction"] + (labels != nil ? ["label"] : [])).joined(separator: ",") + "\n"
        }
        text.reserveCapacity(text.utf8.count + scores.count * 96)
        for (i, s) in scores.enumerated() {
            let row = i < rows.count ? rows[i] : rowCount + i + 1
            let zone = sphere.map { $0.zone(score: s).rawValue }
            let flagged = cut.flags(s)
            if flagged { flaggedCount += 1 }
            let pred = flagged ? 1 : 0
            let percentile = summary.map { Format.fixed($0.percentile(s), digits: 1) }
            let rowIDs = ids.map { $0[i] } ?? []
            switch format {
            case .csv:
                text += (["\(row)"] + rowIDs.map(Format.csvField) + ["\(s)"] + (percentile.map { [$0] } ?? []) + (zone.map { [$0] } ?? [])
                         + ["\(pred)"] + (labels.map { ["\($0[i])"] } ?? [])).joined(separator: ",") + "\n"
            case .json:
                // Appended piece by piece: one interpolated expression per row showed in the profile
                // of 1,000-row `imdad serve` requests as String building and run-time casts
                // (experiments/serve/README.md).
                if !(first && i == 0) { text += "," }
                text += "{\"row\":"
                text += String(row)
                for (key, id) in zip(idKeys, rowIDs) {
                    text += ","
                    text += key
                    text += ":"
                    text += Format.jsonString(id)
                }
                text += ",\"score\":"
                text += s.description
                if let percentile {
                    text += ",\"percentile\":"
                    text += percentile
                }
                if let zone {
                    text += ",\"zone\":\""
                    text += zone
                    text += "\""
                }
                text += pred == 1 ? ",\"prediction\":1" : ",\"prediction\":0"
                if let labels {
                    text += ",\"label\":"
                    text += String(labels[i])
                }
                text += "}"
            }
        }
        rowCount += scores.count
        first = false
    }

    /// The text added since the last call.
    public mutating func drain() -> String {
        defer { text = "" }
        return text
    }

    public func finish() -> String { format == .json ? text + "]}\n" : text }
}
