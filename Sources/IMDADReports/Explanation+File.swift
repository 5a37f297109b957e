// Explanations of rows read from a table: the table's row numbers, ids and raw values beside the
// scaled ones. What `imdad explain --format json` prints and `imdad serve`'s /v1/explain answers.

import IMDADData
import IMDADDetectors
import IMDADEngine

extension TrainedModel {
    /// Training rows standing in for the attribution baseline `kind` (stored in the model at
    /// training time): the prototype for `.nearestNormal`, the training mean for `.mean`, none for `.zeros`.
    public func baselineRows(_ kind: AttributionBaseline) -> Tensor? {
        let row: [Float]? = kind == .mean ? metadata.trainingMean : kind == .nearestNormal ? metadata.prototype : nil
        return row.map { Tensor(shape: [1, $0.count], scalars: $0) }
    }
}

extension TabularFile {
    /// The number a person reads for data row `i` (0-based here): its 1-based place among the
    /// file's data rows, as errors and `imdad score` name it.
    public func rowNumber(_ i: Int) -> Int { rowNumbers.isEmpty ? i + 1 : rowNumbers[i] }

    /// Row `i`'s id texts by id column, or nil without id columns.
    public func ids(_ i: Int) -> [String: String]? {
        guard let ids = data.ids, !data.idColumns.isEmpty else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(data.idColumns, ids[i]))
    }
}

extension Explainer {
    /// Explains `rows` (0-based) of `file`, whose scaled features are `x` (all of the file's rows,
    /// so that scores equal `imdad score`'s for the same file): each explanation carries the
    /// file's row number, its ids and the file's own (raw) value of every feature.
    public func explain(_ x: Tensor, file: TabularFile, rows: [Int]) throws -> [Explanation] {
        var explanations = try explain(x, rows: rows)
        for i in explanations.indices {
            explanations[i].row = file.rowNumber(explanations[i].sample)
            explanations[i].ids = file.ids(explanations[i].sample)
            let raw = file.data.row(explanations[i].sample)
            for k in explanations[i].features.indices {
                explanations[i].features[k].rawValue = raw[raw.startIndex + explanations[i].features[k].index]
            }
        }
        return explanations
    }
}
