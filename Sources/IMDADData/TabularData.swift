import Foundation

/// A numeric feature matrix with optional 0/1 labels — what detectors train and score on.
///
/// Loaded from `.npz` (ADBench layout: `X` 2-D features, `y` 1-D labels), `.npy`
/// (2-D features, no labels) or `.csv` / `.tsv` (header row, optional label column).
/// Loaders guarantee: at least one row and one column, all features finite, labels 0/1.
public struct TabularData: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    /// Row-major, `rows * columns` values.
    public var features: [Double]
    /// One label per row: 0 = normal (or unlabeled), 1 = anomaly; nil when the data has no labels.
    public var labels: [Int]?
    public var featureNames: [String]
    /// Where the data came from (file name or a caller label).
    public var source: String
    /// Names of the id columns carried with the rows (text, never features); empty if none.
    public var idColumns: [String]
    /// Each row's id texts, one per `idColumns` entry (`ids[row][k]`); nil without id columns.
    public var ids: [[String]]?

    /// Builds a table from values already in memory.
    /// - Precondition: `features.count == rows * columns`, `labels?.count == rows`,
    ///   `featureNames` empty (then named `x0`, `x1`, ...) or `columns` long,
    ///   `ids` nil or `rows` long with `idColumns.count` texts per row.
    public init(rows: Int, columns: Int, features: [Double], labels: [Int]? = nil,
                featureNames: [String] = [], source: String = "",
                idColumns: [String] = [], ids: [[String]]? = nil) {
        precondition(rows >= 0 && columns >= 0 && features.count == rows * columns, "TabularData: size mismatch")
        precondition(labels == nil || labels?.count == rows, "TabularData: labels count != rows")
        precondition(featureNames.isEmpty || featureNames.count == columns, "TabularData: featureNames count != columns")
        precondition(ids == nil || (ids?.count == rows && ids?.allSatisfy { $0.count == idColumns.count } == true),
                     "TabularData: ids do not match rows × idColumns")
        self.idColumns = ids == nil ? [] : idColumns
        self.ids = ids
        self.rows = rows
        self.columns = columns
        self.features = features
        self.labels = labels
        self.featureNames = featureNames.isEmpty ? (0..<columns).map { "x\($0)" } : featureNames
        self.source = source
    }

    // MARK: loading

    /// Loads a table, choosing the format by file extension:
    /// - `.npz`: features from array `X` (2-D); labels from array `labelColumn` (default `y`,
    ///   optional when not named explicitly).
    /// - `.npy`: a 2-D feature array, no labels.
    /// - `.csv`, `.txt`: delimited text with a header row (`.tsv` uses tab unless another
    ///   delimiter is given); `labelColumn` names the 0/1 label column, if any.
    public static func load(url: URL, labelColumn: String? = nil, delimiter: Character = ",") throws -> TabularData {
        let name = url.lastPathComponent
        switch url.pathExtension.lowercased() {
        case "npz":
            return try fromNPZ(NPZArchive(contentsOf: url), labelArray: labelColumn)
        case "npy":
            return try fromNPY(NPYArray.read(contentsOf: url), source: name)
        case "csv", "txt", "tsv":
            let d: Character = url.pathExtension.lowercased() == "tsv" && delimiter == "," ? "\t" : delimiter
            let bytes = try readFileBytes(url)
            return try parseCSV(bytes, file: name, labelColumn: labelColumn, delimiter: d)
        default:
            throw DataError(.unsupportedFormat, file: name, position: "file name",
                            expected: "a .npz, .npy, .csv or .tsv file", found: quoted(url.pathExtension),
                            hint: "convert the data to CSV or NumPy .npz with arrays X and y")
        }
    }

    /// Parses a delimited text table held in memory (see `load`). The first line must
    /// hold column names (a line of numbers only is refused with `.headerLooksLikeData`)
    /// unless `hasHeader` is false; then columns are named `c0`, `c1`, … by position.
    public static func parseCSV(_ bytes: [UInt8], file: String? = nil, labelColumn: String? = nil,
                                delimiter: Character = ",", hasHeader: Bool = true) throws -> TabularData {
        try csvCore(bytes, file: file, delimiter: delimiter, hasHeader: hasHeader, mapping: .zeroOne) { header, line in
            try CSVRowDecoder.legacyPlan(header: header, labelColumn: labelColumn, file: file, line: line)
        }.data
    }

    /// Reads a whole delimited text table with the columns chosen by `makePlan(header, headerLine)`.
    static func csvCore(_ bytes: [UInt8], file: String?, delimiter: Character, hasHeader: Bool, mapping: LabelMapping,
                        skipBadRows: Bool = false, makePlan: ([String], Int) throws -> ColumnPlan)
        throws -> (data: TabularData, plan: ColumnPlan, mapping: LabelMapping?, rowNumbers: [Int], skipped: [DataError]) {
        let d = try CSVCore.delimiterByte(delimiter, file: file)
        try mapping.validate(file: file)
        return try bytes.withUnsafeBytes { buf in
            var pos = CSVReader.hasBOM(buf) ? 3 : 0
            var line = 1
            // header (first non-blank record)
            var decoder: CSVRowDecoder?
            while decoder == nil, let r = try CSVCore.nextRecord(buf, from: pos, isFinal: true, delimiter: d, file: file, line: line) {
                if r.end > r.start {
                    let header = try CSVRowDecoder.readHeader(UnsafeRawBufferPointer(rebasing: buf[r.start..<r.end]),
                                                              delimiter: d, file: file, hasHeader: hasHeader, line: line)
                    let plan = try makePlan(header, line)
                    // Leaving bad rows out, labels are classified as they come, as the chunk reader
                    // does, so that a row with a value the mapping refuses is left out like any bad
                    // row (and both readers give the same rows).
                    decoder = CSVRowDecoder(plan: plan, delimiter: d, file: file,
                                            firstLine: hasHeader ? line + r.lines : line,
                                            streamingLabels: skipBadRows ? mapping : nil)
                    decoder?.skipBadRows = skipBadRows
                    if hasHeader { pos = r.next }
                } else {
                    line += r.lines
                    pos = r.next
                }
            }
            guard var dec = decoder else {
                throw DataError(.empty, file: file, position: "line 1", expected: hasHeader ? "a header row" : "a data row",
                                found: "an empty file")
            }
            var features: [Double] = []
            var ids: [[String]] = []
            var rowNumbers: [Int] = []
            while let r = try CSVCore.nextRecord(buf, from: pos, isFinal: true, delimiter: d, file: file, line: dec.line) {
                if r.end > r.start {
                    if try dec.decodeOrSkip(UnsafeRawBufferPointer(rebasing: buf[r.start..<r.end]), lines: r.lines,
                                            features: &features, ids: &ids) {
                        rowNumbers.append(dec.dataRow)
                    }
                } else {
                    dec.line += r.lines
                }
                pos = r.next
            }
            let names = dec.featureNames
            guard !rowNumbers.isEmpty, !names.isEmpty else {
                let others = dec.plan.idColumns.isEmpty && dec.plan.ignoredColumns.isEmpty
                    ? "the label" : "the label, id and ignored columns"
                throw DataError(.empty, file: file, position: "line \(dec.line)",
                                expected: names.isEmpty ? "at least one feature column besides \(others)" : "at least one data row",
                                found: names.isEmpty ? (dec.labelIndex == nil ? "none" : "only the label column") : "none")
            }
            var labels: [Int]?
            var resolved: LabelMapping?
            if dec.labelIndex != nil {
                if dec.streamingLabels != nil {
                    labels = dec.takeStreamedLabels()
                    resolved = mapping.resolvedMapping(dec.labelTable, classes: dec.labelClasses)
                } else {
                    let r = try dec.resolvedLabels(mapping)
                    labels = r.labels
                    resolved = r.mapping
                }
            }
            let data = TabularData(rows: rowNumbers.count, columns: names.count, features: features, labels: labels,
                                   featureNames: names, source: file ?? "", idColumns: dec.plan.idNames,
                                   ids: dec.plan.idColumns.isEmpty ? nil : ids)
            return (data, dec.plan, resolved, rowNumbers, dec.skipped)
        }
    }

    /// Builds a table from an ADBench-style archive: `featureArray` (default `X`, 2-D) and
    /// labels from `labelArray` (default `y`; when nil, `y` is used if present).
    public static func fromNPZ(_ archive: NPZArchive, featureArray: String = "X",
                               labelArray: String? = nil) throws -> TabularData {
        let file = archive.file
        let x = try archive.array(named: featureArray)
        var table = try fromNPY(x, source: file ?? "", arrayName: featureArray)
        let yName: String? = labelArray ?? (archive.contains("y") ? "y" : nil)
        if let yName {
            let y = try archive.array(named: yName)
            table.labels = try labels(from: y, rows: table.rows, file: file, arrayName: yName)
        }
        return table
    }

    /// Builds an unlabeled table from a 2-D array.
    public static func fromNPY(_ array: NPYArray, source: String, arrayName: String? = nil) throws -> TabularData {
        let file: String? = source.isEmpty ? nil : source
        let pos = arrayName.map { "array '\($0)'" } ?? "array"
        guard array.shape.count == 2 else {
            throw DataError(.shapeMismatch, file: file, position: pos,
                            expected: "a 2-D array (rows, features)", found: "shape \(shapeString(array.shape))",
                            hint: array.shape.count == 1 ? "reshape a single feature with X.reshape(-1, 1)" : nil)
        }
        let rows = array.shape[0], cols = array.shape[1]
        guard rows > 0, cols > 0 else {
            throw DataError(.empty, file: file, position: pos, expected: "at least one row and one column",
                            found: "shape \(shapeString(array.shape))")
        }
        if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
            throw DataError(.nonFinite, file: file, position: "\(pos), element [\(bad / cols), \(bad % cols)]",
                            expected: "a finite number", found: "\(array.values[bad])",
                            hint: "impute or drop rows with NaN / infinite values")
        }
        return TabularData(rows: rows, columns: cols, features: array.values, labels: nil,
                           featureNames: [], source: source)
    }

    static func labels(from y: NPYArray, rows: Int, file: String?, arrayName: String) throws -> [Int] {
        let okShape = (y.shape.count == 1 && y.shape[0] == rows) || (y.shape.count == 2 && y.shape[0] == rows && y.shape[1] == 1)
        guard okShape else {
            throw DataError(.shapeMismatch, file: file, position: "array '\(arrayName)'",
                            expected: "shape (\(rows),) to match the \(rows) rows of the features",
                            found: "shape \(shapeString(y.shape))")
        }
        var out = [Int]()
        out.reserveCapacity(rows)
        for (i, v) in y.values.enumerated() {
            guard v == 0 || v == 1 else {
                throw DataError(.badLabel, file: file, position: "array '\(arrayName)', element \(i)",
                                expected: "a label 0 (normal) or 1 (anomaly)", found: "\(v)",
                                hint: "map your classes to 0 = normal, 1 = anomaly")
            }
            out.append(v == 0 ? 0 : 1)
        }
        return out
    }

    // MARK: helpers

    /// Checks the invariants loaders guarantee (non-empty, finite, 0/1 labels).
    public func validate() throws {
        let file: String? = source.isEmpty ? nil : source
        guard rows > 0, columns > 0 else {
            throw DataError(.empty, file: file, position: "table", expected: "at least one row and one column",
                            found: "\(rows) × \(columns)")
        }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            let c = bad % columns
            throw DataError(.nonFinite, file: file, position: "row \(bad / columns + 1), column '\(featureNames[c])'",
                            expected: "a finite number", found: "\(features[bad])")
        }
        if let labels, let i = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw DataError(.badLabel, file: file, position: "row \(i + 1)", expected: "a label 0 or 1", found: "\(labels[i])")
        }
    }

    /// The features of row `i` (0-based index; messages call it row `i + 1`).
    public func row(_ i: Int) -> ArraySlice<Double> {
        features[(i * columns)..<((i + 1) * columns)]
    }

    /// A table holding the given rows (0-based indices, any order, repeats allowed).
    public func subset(rows indices: [Int]) -> TabularData {
        var f = [Double]()
        f.reserveCapacity(indices.count * columns)
        for i in indices {
            precondition(i >= 0 && i < rows, "TabularData.subset: row \(i) out of range 0..<\(rows)")
            f.append(contentsOf: row(i))
        }
        return TabularData(rows: indices.count, columns: columns, features: f,
                           labels: labels.map { l in indices.map { l[$0] } },
                           featureNames: featureNames, source: source,
                           idColumns: idColumns, ids: ids.map { v in indices.map { v[$0] } })
    }

    /// Indices of rows labeled 0 (all rows when unlabeled).
    public var normalRows: [Int] {
        guard let labels else { return Array(0..<rows) }
        return labels.indices.filter { labels[$0] == 0 }
    }

    /// Indices of rows labeled 1 (none when unlabeled).
    public var anomalyRows: [Int] {
        guard let labels else { return [] }
        return labels.indices.filter { labels[$0] == 1 }
    }
}

extension CSVChunk {
    /// The chunk as a `TabularData` (for scoring with the same code paths as whole files).
    /// Pass the reader's `idColumns` to carry the chunk's ids.
    public func tabular(featureNames: [String], source: String, idColumns: [String] = []) -> TabularData {
        let keepIDs = ids != nil && !idColumns.isEmpty && ids?.first?.count ?? idColumns.count == idColumns.count
        return TabularData(rows: rows, columns: columns, features: features, labels: labels,
                    featureNames: featureNames.count == columns ? featureNames : [], source: source,
                    idColumns: keepIDs ? idColumns : [], ids: keepIDs ? ids : nil)
    }
}
