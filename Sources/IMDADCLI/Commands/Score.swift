// `imdad score`: scores, zones and predictions for new data, streamed in chunks.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score data with a trained model (CSV or JSON: score, zone, prediction per row).",
        discussion: "Example: imdad score model.imdad new.csv --output scores.csv")

    enum Format: String, ExpressibleByArgument { case csv, json }

    @Argument(help: "Model file written by `imdad train`.") var model: String
    @Argument(help: "Data to score (.csv, .npz, .npy) with the training features, in the same order.") var data: String
    @Option(help: "Label column (CSV) or array (NPZ) to carry into the output.") var labelColumn: String?
    @Option(help: "CSV delimiter.") var delimiter: String = ","
    @Option(help: "Output format.") var format: Format = .csv
    @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?
    @Flag(help: "Replace an existing output file.") var force = false
    @Option(help: "Rows scored per chunk (bounds memory; rounded up to a multiple of \(Network.inferenceBatchSize), so scores do not depend on it).")
    var chunkRows = 50_000

    func run() throws {
        try IMDADCLI.run {
            let trained = try TrainedModel.read(contentsOf: URL(fileURLWithPath: model))
            // Rows are written chunk by chunk (bounded memory): to a hidden temporary file renamed over
            // --output at the end (removed on error), or straight to standard output.
            let file = try output.map { try AtomicFileWriter(url: URL(fileURLWithPath: $0), overwrite: force) }
            func emit(_ text: String) throws {
                if let file { try file.write(Array(text.utf8)) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
            }
            var writer = ScoreWriter(format: format, model: trained)
            let url = URL(fileURLWithPath: data)
            if ["csv", "txt", "tsv"].contains(url.pathExtension.lowercased()) {
                // Chunks start at multiples of the inference batch, so every row keeps its place in its batch.
                let b = Network.inferenceBatchSize, rows = (Swift.max(1, chunkRows) + b - 1) / b * b
                let reader = try CSVChunkReader(url: url, delimiter: Character(delimiter), chunkRows: rows, labelColumn: labelColumn)
                try checkFeatures(trained, reader.featureNames, file: url.lastPathComponent, position: "header (line 1)")
                while let chunk = try reader.next() {
                    let x = try trained.prepare(rawFeatures: chunk.features, rows: chunk.rows, columns: chunk.columns)
                    writer.add(scores: trained.detector.scores(x), labels: chunk.labels, firstRow: chunk.firstRow)
                    try emit(writer.drain())
                }
            } else {
                let table = try TabularData.load(url: url, labelColumn: labelColumn)
                try checkFeatures(trained, table.featureNames, file: url.lastPathComponent, position: "features")
                let x = try trained.prepare(rawFeatures: table.features, rows: table.rows, columns: table.columns)
                writer.add(scores: trained.detector.scores(x), labels: table.labels, firstRow: 0)
            }
            try emit(writer.finish())
            try file?.commit()
        }
    }
}

/// Refuses data whose feature count differs from the model's, naming both.
private func checkFeatures(_ model: TrainedModel, _ names: [String], file: String, position: String) throws {
    let expected = model.metadata.featureNames
    guard names.count != expected.count else { return }
    func list(_ n: [String]) -> String { n.prefix(6).joined(separator: ", ") + (n.count > 6 ? ", …" : "") }
    throw DataError(.shapeMismatch, file: file, position: position,
                    expected: "\(expected.count) feature columns, as the model was trained on (\(list(expected)))",
                    found: "\(names.count) (\(list(names)))",
                    hint: "score data with the training file's columns, in the same order")
}

/// Formats the output rows (taken out with `drain()` after each chunk). Each score prints with 9 significant digits (round-trips Float).
struct ScoreWriter {
    let format: Score.Format
    let model: TrainedModel
    private var text = ""
    private var first = true

    init(format: Score.Format, model: TrainedModel) {
        self.format = format
        self.model = model
        let m = model.metadata
        if format == .json {
            text = "{\"method\":\"\(m.method.displayName)\",\"library_version\":\"\(m.libraryVersion)\",\"seed\":\(m.seed),"
                + "\"threshold\":\(m.threshold),\"rows\":["
        }
    }

    mutating func add(scores: [Float], labels: [Int]?, firstRow: Int) {
        let sphere: Sphere? = { if case .imdad(let d) = model.fitted { return d.sphere } else { return nil } }()
        let threshold = model.detector.threshold
        if format == .csv && first {
            text += "# imdad \(model.metadata.libraryVersion), \(model.metadata.method.displayName), seed \(model.metadata.seed)\n"
            text += "row,score" + (sphere != nil ? ",zone" : "") + ",prediction" + (labels != nil ? ",label" : "") + "\n"
        }
        for (i, s) in scores.enumerated() {
            let row = firstRow + i
            let zone = sphere.map { $0.zone(score: s).rawValue }
            let pred = s > threshold ? 1 : 0
            switch format {
            case .csv:
                text += "\(row),\(s)" + (zone.map { ",\($0)" } ?? "") + ",\(pred)" + (labels.map { ",\($0[i])" } ?? "") + "\n"
            case .json:
                text += (first && i == 0 ? "" : ",") + "{\"row\":\(row),\"score\":\(s)" + (zone.map { ",\"zone\":\"\($0)\"" } ?? "")
                    + ",\"prediction\":\(pred)" + (labels.map { ",\"label\":\($0[i])" } ?? "") + "}"
            }
        }
        first = false
    }

    /// The text added since the last call.
    mutating func drain() -> String {
        defer { text = "" }
        return text
    }

    func finish() -> String { format == .json ? text + "]}\n" : text }
}
