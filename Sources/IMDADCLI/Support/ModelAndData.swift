// What `imdad explain` and `imdad report` share: loading an IMD-AD model with a data file,
// the attribution-baseline argument and the `--image-shape` parser.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADReports

/// On the command line the baselines are `nearest-normal` (also `nearestNormal`), `mean`, `zeros`.
extension AttributionBaseline: ExpressibleByArgument {
    public init?(argument: String) {
        let key = argument.lowercased().filter { $0.isLetter }
        guard let b = Self.allCases.first(where: { $0.rawValue.lowercased().filter(\.isLetter) == key }) else { return nil }
        self = b
    }
    public static var allValueStrings: [String] { allCases.map { $0.rawValue.replacingOccurrences(of: " ", with: "-") } }
    public var defaultValueDescription: String { rawValue.replacingOccurrences(of: " ", with: "-") }
}

/// Loads an IMD-AD model and a data file, its columns matched to the model's by name and scaled
/// with the model's scaler.
struct ModelAndData {
    var trained: TrainedModel
    var model: IMDAD
    var file: TabularFile
    var x: Tensor

    var table: TabularData { file.data }

    init(modelPath: String, dataPath: String, columns: ColumnOptions) throws {
        trained = try TrainedModel.read(contentsOf: URL(fileURLWithPath: modelPath))
        guard case .imdad(let m) = trained.fitted else {
            throw ValidationError("\(modelPath) holds a \(trained.metadata.method.displayName) model; explanations need an IMD-AD model "
                                  + "(train one with --method imdad; `imdad score` scores any model)")
        }
        model = m
        file = try columns.read(dataPath, schema: trained.metadata.effectiveSchema)
        x = try trained.prepare(rawFeatures: file.data.features, rows: file.data.rows, columns: file.data.columns)
    }

    /// Training rows standing in for the baseline (stored in the model at training time).
    func baselineRows(_ kind: AttributionBaseline) -> Tensor? { trained.baselineRows(kind) }
}

/// "C,H,W" → [C, H, W].
func parseImageShape(_ text: String) throws -> [Int] {
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 3, let c = parts[0], let h = parts[1], let w = parts[2], c > 0, h > 0, w > 0 else {
        throw ValidationError("--image-shape \(text): expected three positive integers C,H,W such as 1,28,28")
    }
    return [c, h, w]
}
