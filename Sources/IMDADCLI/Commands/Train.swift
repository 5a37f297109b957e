// `imdad train`: fit a detector on a labeled file and save the model.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a detector on a CSV/NPY/NPZ file and save the model.",
        discussion: """
        Labels: with --label-column, rows labeled as a confirmed anomaly (1, or --anomaly-label) \
        train IMD-AD's margin; every other row is normal or unlabeled. Deep SVDD, Isolation Forest \
        and IMD-AD with --one-class train without labels. Features are standardized, then min-max \
        scaled (fitted on this file, stored in the model), unless --no-scaling. The model stores the \
        feature columns by name: score, explain and report match a file's columns to them.

        Example: imdad train data.csv --label-column label --id-column id --output model.imdad
        """)

    @Argument(help: "Training data (.csv, .npz with arrays X and y, or .npy).") var data: String
    @OptionGroup(title: "Columns") var columns: ColumnOptions
    @Option(name: .shortAndLong, help: "Where to write the model.") var output: String
    @Flag(help: "Replace an existing output file.") var force = false
    @Option(help: "Random seed (same seed and threads ⇒ same model).") var seed: UInt64 = 0
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: ArgumentHelp("Use the features as they are, without the standardize-then-min-max scaling "
                             + "(for data scaled beforehand; the model then stores no scaler)."))
    var noScaling = false
    @OptionGroup var choice: MethodChoice
    @OptionGroup var method: MethodOptions

    func run() throws {
        try IMDADCLI.run {
            method.prepareEngine()
            let out = URL(fileURLWithPath: output)
            if !force && FileManager.default.fileExists(atPath: out.path) { throw OutputExistsError(path: out.path) }
            let file = try columns.read(data, schema: nil)
            let table = file.data
            for name in idLikeFeatures(table) {
                note("warning: feature '\(name)' holds unique integers in increasing order, like a row id; if it is one, "
                     + "pass --id-column \(name) (or --ignore-columns \(name)) so that it is not used as a feature")
            }
            // Without a label column every row is normal or unlabeled.
            let labels = table.labels ?? [Int](repeating: 0, count: table.rows)
            let scaler = noScaling ? nil : try StandardMinMaxScaler.fit(table)
            let x = try TrainedModel.input(table.features, rows: table.rows, columns: table.columns, scaler: scaler)
            let train = try LabeledData(features: x, labels: labels)
            var rng = RandomGenerator(seed: seed)
            let configuration = try checked { try method.configuration(choice.method, encoder: .tabular(inputs: table.columns)) }
            let progress = ProgressPrinter(label: choice.method.displayName, totalEpochs: configuration.training?.epochs ?? 0,
                                           pretrainingEpochs: configuration.pretraining?.epochs ?? 0, quiet: quiet)
            let start = Date()
            let fitted: FittedDetector
            do {
                fitted = try fitDetector(configuration, data: train, using: &rng, progress: { progress($0) })
            } catch let e as DetectorError {
                throw labelProblem(e, file: data, column: columns.labelColumn, rows: table.rows)
            }
            var model = TrainedModel(fitted: fitted, method: choice.method, seed: seed,
                                     featureNames: table.featureNames, scaler: scaler)
            model.metadata.schema = file.schema
            model.recordTraining(train)
            try model.write(to: out, overwrite: force)
            let seconds = Date().timeIntervalSince(start)
            print("\(choice.method.displayName) trained on \(table.rows) rows × \(table.columns) features "
                  + "(\(train.anomalyRows.count) labeled anomalies) in \(Format.fixed(seconds, digits: 1)) s; model written to \(output)")
            if let summary = model.metadata.training {
                let share = Format.fixed(100 * Double(summary.normalsFlagged) / Double(max(summary.normals, 1)), digits: 1)
                print("flagged: \(summary.normalsFlagged) of the \(summary.normals) normal training rows (\(share) %)")
                if let zones = summary.normalZones {
                    let counts = Zone.allCases.map { "\($0.rawValue) \(zones[$0.rawValue] ?? 0)" }
                    print("training normals by zone: " + counts.joined(separator: ", "))
                }
            }
            if case .imdad(let d) = fitted { print(describe(d)) }
        }
    }
}

/// A model's sphere as a user reads it.
func describe(_ model: IMDAD) -> String {
    let s = model.sphere, nu = model.configuration.nu, radiusNu = model.configuration.radiusNu
    let c = s.center.prefix(8).map { Format.fixed($0, digits: 3) }.joined(separator: ", ") + (s.center.count > 8 ? ", …" : "")
    let norm = Format.fixed(s.center.reduce(0) { $0 + $1 * $1 }.squareRoot(), digits: 3)
    let radius = "R = \(Format.fixed(s.radius, digits: 4))  (R² = \(Format.fixed(s.radiusSquared, digits: 4)))"
    let margin = "ρ = \(Format.fixed(s.margin, digits: 3))   relative margin ρ²/R² = \(Format.fixed(s.relativeMargin, digits: 3))"
    let refit = radiusNu.map { "   R² refit to flag \($0) of the training normals" } ?? ""
    return """
    sphere: c = [\(c)]  (‖c‖ = \(norm))
            \(radius)   \(margin)   ν = \(nu)\(refit)
            zones: inside s ≤ 0 | margin band 0 < s < ρ² | outside s ≥ ρ²   (s = ‖φ − c‖² − R²)
    """
}

/// A missing class in the training labels, reported like a data error (file, column, expected, found).
private func labelProblem(_ e: DetectorError, file: String, column: String?, rows: Int) -> Error {
    let name = URL(fileURLWithPath: file).lastPathComponent
    switch e {
    case .noNormalSamples:
        return DataError(.badLabel, file: name, position: "label column '\(column ?? "y")'",
                         expected: "at least one normal row (label 0)", found: "all \(rows) rows labeled 1")
    case .noLabeledAnomalies(let method) where column == nil:
        return DataError(.badLabel, file: name, position: "labels",
                         expected: "labeled anomalies for \(method)", found: "no label column",
                         hint: "name the label column with --label-column (and its anomaly value with --anomaly-label), "
                             + "or pass --one-class to train IMD-AD without labeled anomalies")
    case .noLabeledAnomalies(let method):
        return DataError(.badLabel, file: name, position: "label column '\(column ?? "y")'",
                         expected: "at least one labeled anomaly (label 1) for \(method)", found: "all \(rows) rows labeled 0",
                         hint: "label a few confirmed anomalies, or pass --one-class to train without them")
    default:
        return e
    }
}
