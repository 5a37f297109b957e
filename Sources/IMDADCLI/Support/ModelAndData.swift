// What `imdad explain` and `imdad report` share: loading an IMD-AD model with a data file,
// the attribution-baseline argument and the `--image-shape` parser.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADReports

extension AttributionBaseline: ExpressibleByArgument {}

/// Loads an IMD-AD model and a data file, scaled with the model's scaler.
struct ModelAndData {
    var trained: TrainedModel
    var model: IMDAD
    var table: TabularData
    var x: Tensor

    init(modelPath: String, dataPath: String, labelColumn: String?) throws {
        trained = try TrainedModel.read(contentsOf: URL(fileURLWithPath: modelPath))
        guard case .imdad(let m) = trained.fitted else {
            throw ValidationError("\(modelPath) holds a \(trained.metadata.method.displayName) model; explanations need an IMD-AD model")
        }
        model = m
        table = try TabularData.load(url: URL(fileURLWithPath: dataPath), labelColumn: labelColumn)
        x = try trained.prepare(rawFeatures: table.features, rows: table.rows, columns: table.columns)
    }

    /// Training rows standing in for the baseline (stored in the model at training time).
    func baselineRows(_ kind: AttributionBaseline) -> Tensor? {
        let row: [Float]? = kind == .mean ? trained.metadata.trainingMean : kind == .nearestNormal ? trained.metadata.prototype : nil
        return row.map { Tensor(shape: [1, $0.count], scalars: $0) }
    }
}

/// "C,H,W" → [C, H, W].
func parseImageShape(_ text: String) throws -> [Int] {
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 3, let c = parts[0], let h = parts[1], let w = parts[2], c > 0, h > 0, w > 0 else {
        throw ValidationError("--image-shape \(text): expected three positive integers C,H,W such as 1,28,28")
    }
    return [c, h, w]
}
