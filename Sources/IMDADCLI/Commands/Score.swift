// `imdad score`: scores, percentiles, zones and predictions for new data, streamed in chunks, its
// columns matched to the model's by name.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADReports

extension ScoreFormat: ExpressibleByArgument {}

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score data with a trained model: score, percentile, zone and prediction per row (CSV or JSON).",
        discussion: """
        Columns are matched to the model's features by name (reordered as needed; the label, id and \
        ignored columns of training are skipped); a missing, unknown or renamed feature is an error \
        that lists the difference. Rows are numbered from 1 among the file's data rows, as errors \
        name them.

        Output per row: score (higher = more anomalous; IMD-AD: s = ‖φ − c‖² − R²), percentile (the \
        share of training normals scoring lower), zone (IMD-AD: inside s ≤ 0, margin band \
        0 < s < ρ², outside s ≥ ρ²), prediction (1 when flagged by --threshold).

        --threshold: sphere (default: the model's own threshold; IMD-AD: s > 0, for the baselines \
        the --contamination quantile of their training scores), outside (IMD-AD: beyond the margin, \
        s ≥ ρ²), a number (score > number), or rate:p (the training normals' (1 − p) quantile: \
        flags about p of normal data).

        Example: imdad score model.imdad new.csv --id-column id --output scores.csv
        """)

    typealias Format = ScoreFormat
    enum BadRow: String, ExpressibleByArgument, CaseIterable { case fail, skip }

    @Argument(help: "Model file written by `imdad train`.") var model: String
    @Argument(help: "Data to score (.csv, .npz, .npy) with the training features.") var data: String
    @OptionGroup(title: "Columns (matched to the model's by name; a label column is carried into the output)")
    var columns: ColumnOptions
    @Option(parsing: .unconditional, help: "Which scores are flagged: sphere, outside, a number (may be negative), or rate:p.")
    var threshold: ScoreThreshold = .sphere
    @Option(help: "Output format.") var format: Format = .csv
    @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?
    @Option(help: "Also write where the scores came from (model, method, seed, version, threshold, rows) to this JSON file.")
    var metadata: String?
    @Option(help: "A row with a bad field: fail (write nothing) or skip (list the skipped rows on standard error).")
    var onBadRow: BadRow = .fail
    @Flag(help: "Replace existing output files.") var force = false
    @Option(help: ArgumentHelp("Rows scored per chunk (bounds memory; rounded up to a multiple of \(Network.inferenceBatchSize), "
                               + "so scores do not depend on it)."))
    var chunkRows = 50_000

    func run() throws {
        try IMDADCLI.run {
            let trained = try TrainedModel.read(contentsOf: URL(fileURLWithPath: model))
            let cut = try threshold.resolved(for: trained, modelPath: model)
            let metadataWriter = try metadata.map { try AtomicFileWriter(url: URL(fileURLWithPath: $0), overwrite: force) }
            // Rows are written chunk by chunk (bounded memory): to a hidden temporary file renamed over
            // --output at the end (removed on error). On standard output they are held back to the end,
            // so that a bad row under --on-bad-row fail leaves nothing written there either.
            let file = try output.map { try AtomicFileWriter(url: URL(fileURLWithPath: $0), overwrite: force) }
            var held: [UInt8] = []
            func emit(_ text: String) throws {
                if let file { try file.write(Array(text.utf8)) } else { held += Array(text.utf8) }
            }
            var writer = ScoreWriter(format: format, model: trained, threshold: cut)
            let url = URL(fileURLWithPath: data)
            let schema = trained.metadata.effectiveSchema
            var skipped: [DataError] = []
            do {
                if ["csv", "txt", "tsv"].contains(url.pathExtension.lowercased()) {
                    // Chunks start at multiples of the inference batch, so every row keeps its place in its batch.
                    let b = Network.inferenceBatchSize, rows = (Swift.max(1, chunkRows) + b - 1) / b * b
                    var options = columns.readOptions(schema: schema)
                    options.skipBadRows = onBadRow == .skip
                    let reader = try CSVChunkReader(url: url, options: options, chunkRows: rows)
                    writer.idColumns = reader.plan.idNames
                    while let chunk = try reader.next() {
                        let x = try trained.prepare(rawFeatures: chunk.features, rows: chunk.rows, columns: chunk.columns)
                        writer.add(scores: trained.detector.scores(x), rows: chunk.rowNumbers, ids: chunk.ids, labels: chunk.labels)
                        try emit(writer.drain())
                    }
                    skipped = reader.skipped
                } else {
                    let read = try columns.read(data, schema: schema, skipBadRows: onBadRow == .skip)
                    let table = read.data
                    writer.idColumns = table.idColumns
                    let x = try trained.prepare(rawFeatures: table.features, rows: table.rows, columns: table.columns)
                    let numbers = read.rowNumbers.isEmpty ? Array(1..<(table.rows + 1)) : read.rowNumbers
                    writer.add(scores: trained.detector.scores(x), rows: numbers, ids: table.ids, labels: table.labels)
                    skipped = read.skipped
                }
            } catch let e as DataError {
                throw columns.withFlags(e)
            }
            try emit(writer.finish())
            for e in skipped { note("skipped: \(e)") }
            if !skipped.isEmpty { note("\(skipped.count) row\(skipped.count == 1 ? "" : "s") skipped (--on-bad-row skip)") }
            if let metadataWriter {
                let m = trained.metadata
                let provenance = ScoreProvenance(
                    imdad: IMDADVersion.library, model: model, data: data, method: m.method.rawValue, seed: m.seed,
                    modelLibraryVersion: m.libraryVersion, threshold: cut.value, thresholdRule: cut.rule, rows: writer.rowCount,
                    flagged: writer.flaggedCount, skippedRows: skipped.count, finished: ISO8601DateFormatter().string(from: Date()))
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                e.keyEncodingStrategy = .convertToSnakeCase  // modelLibraryVersion → model_library_version
                try metadataWriter.write(Array(try e.encode(provenance)) + [UInt8(ascii: "\n")])
            }
            try file?.commit()
            try metadataWriter?.commit()
            if file == nil { FileHandle.standardOutput.write(Data(held)) }
        }
    }
}

/// Where a score file came from (`imdad score --metadata FILE`).
struct ScoreProvenance: Encodable {
    var imdad: String
    var model: String
    var data: String
    var method: String
    var seed: UInt64
    var modelLibraryVersion: String
    var threshold: Float
    var thresholdRule: String
    var rows: Int
    var flagged: Int
    var skippedRows: Int
    var finished: String

}

/// `--threshold`: which scores a prediction flags.
enum ScoreThreshold: ExpressibleByArgument, Equatable {
    /// The model's own threshold (IMD-AD: the sphere, s > 0).
    case sphere
    /// IMD-AD: beyond the margin, s ≥ ρ².
    case outside
    /// score > value.
    case value(Float)
    /// The training normals' (1 − p) quantile.
    case rate(Double)

    init?(argument: String) {
        let a = argument.lowercased()
        switch a {
        case "sphere": self = .sphere
        case "outside": self = .outside
        default:
            if a.hasPrefix("rate:"), let p = Double(a.dropFirst(5)), p > 0, p < 1 { self = .rate(p) }
            else if let v = Float(a), v.isFinite { self = .value(v) }
            else { return nil }
        }
    }

    static var allValueStrings: [String] { ["sphere", "outside", "<number>", "rate:<p>"] }
    var defaultValueDescription: String { "sphere" }

    /// A resolved threshold (`ScoreCut`, shared with `imdad serve`).
    typealias Cut = ScoreCut

    func resolved(for model: TrainedModel, modelPath: String) throws -> Cut {
        switch self {
        case .sphere:
            return .modelThreshold(model)
        case .outside:
            guard case .imdad(let m) = model.fitted else {
                throw ValidationError("--threshold outside needs an IMD-AD model (its margin); \(modelPath) holds a "
                                      + "\(model.metadata.method.displayName) model: use sphere, a number or rate:p")
            }
            return Cut(value: m.sphere.marginSquared, inclusive: true, rule: "outside: s ≥ ρ² = \(m.sphere.marginSquared)")
        case .value(let v):
            return Cut(value: v, inclusive: false, rule: "score > \(v)")
        case .rate(let p):
            guard let summary = model.metadata.training, !summary.normalScoreQuantiles.isEmpty else {
                throw ValidationError("--threshold rate:\(p) needs the training normals' score quantiles, which \(modelPath) "
                                      + "does not store (written by imdad \(model.metadata.libraryVersion)); retrain it, or give a number")
            }
            let t = summary.threshold(flagging: p)
            return Cut(value: t, inclusive: false, rule: "rate \(p): score > \(t), the training normals' \(1 - p) quantile")
        }
    }
}
