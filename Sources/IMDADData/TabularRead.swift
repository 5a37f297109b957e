import Foundation

/// How to read a table: which columns are the label, ids and ignored, how labels map to
/// 0/1, whether a CSV has a header row, and (for scoring) the schema to match.
///
/// - Training (`schema == nil`): every column that is not the label, an id or ignored is a
///   feature, in file order; the result's `schema` records them for the model.
/// - Scoring (`schema` set): the file's columns are matched to the schema by name
///   (reordered as needed) or, for a schema without names, by count. The schema's label,
///   id and ignored columns are used where present; `labelColumn`, `idColumns` and
///   `ignoredColumns` add to them (and must be present).
public struct TabularReadOptions: Equatable, Sendable {
    /// The label column (CSV) or label array (NPZ; default `y` when present).
    /// Scoring: nil uses the schema's label column when the file has it.
    public var labelColumn: String?
    /// How label text maps to 0/1; nil: the schema's mapping when scoring, else 0/1.
    public var labelMapping: LabelMapping?
    /// Columns carried as row ids (any text), never features.
    public var idColumns: [String]
    /// Columns dropped.
    public var ignoredColumns: [String]
    /// Whether a CSV's first line holds column names; nil: the schema's `hasHeader` when
    /// scoring, else true. Without a header, columns are named `c0`, `c1`, ….
    public var hasHeader: Bool?
    /// The CSV delimiter; nil: `,` (tab for `.tsv`).
    public var delimiter: Character?
    /// The schema to match (scoring); nil when training.
    public var schema: TableSchema?
    /// Leave out rows whose fields are wrong (ragged, non-numeric, missing, non-finite, or a label
    /// the mapping refuses) instead of failing; their errors are returned (``TabularFile/skipped``,
    /// ``CSVChunkReader/skipped``). Labels are then classified row by row, as the chunk reader
    /// does: with a one-sided mapping the first other value is taken as the other class and rows
    /// with any further value are left out. A left-out row's label counts for nothing.
    public var skipBadRows = false

    public init(labelColumn: String? = nil, labelMapping: LabelMapping? = nil, idColumns: [String] = [],
                ignoredColumns: [String] = [], hasHeader: Bool? = nil, delimiter: Character? = nil,
                schema: TableSchema? = nil) {
        self.labelColumn = labelColumn
        self.labelMapping = labelMapping
        self.idColumns = idColumns
        self.ignoredColumns = ignoredColumns
        self.hasHeader = hasHeader
        self.delimiter = delimiter
        self.schema = schema
    }

    /// Whether a CSV is read with a header row under these options.
    public var effectiveHasHeader: Bool { hasHeader ?? schema?.hasHeader ?? true }
    /// The label mapping used under these options.
    public var effectiveLabelMapping: LabelMapping { labelMapping ?? schema?.labelMapping ?? .zeroOne }

    /// The plan for a file with the given column names.
    func plan(header: [String], file: String?) throws -> ColumnPlan {
        if let schema {
            return try schema.plan(header: header, file: file, labelColumn: labelColumn,
                                   idColumns: idColumns, ignoredColumns: ignoredColumns)
        }
        return try TableSchema.trainingPlan(header: header, labelColumn: labelColumn, idColumns: idColumns,
                                            ignoredColumns: ignoredColumns, file: file)
    }
}

/// A table read from a file, with the schema it was read by (training: the schema to
/// store with the model; scoring: the schema given).
public struct TabularFile: Equatable, Sendable {
    public var data: TabularData
    public var schema: TableSchema
    /// Which file column fed which feature (nil for arrays).
    public var plan: ColumnPlan?
    /// Each row's number: its 1-based place among the file's data rows (consecutive unless rows
    /// were left out under ``TabularReadOptions/skipBadRows``).
    public var rowNumbers: [Int] = []
    /// The errors of the rows left out under ``TabularReadOptions/skipBadRows``.
    public var skipped: [DataError] = []

    public init(data: TabularData, schema: TableSchema, plan: ColumnPlan? = nil) {
        self.data = data
        self.schema = schema
        self.plan = plan
    }
}

extension TabularData {
    /// Reads a table by file extension (`.csv`/`.txt`/`.tsv`, `.npz`, `.npy`) with `options`:
    /// without `options.schema` a training file (the result's `schema` describes it), with
    /// one a scoring file matched to it by name (CSV) or by count (arrays).
    public static func read(url: URL, options: TabularReadOptions = TabularReadOptions()) throws -> TabularFile {
        let name = url.lastPathComponent
        switch url.pathExtension.lowercased() {
        case "npz":
            return try read(npz: NPZArchive(contentsOf: url), options: options)
        case "npy":
            return try read(npy: NPYArray.read(contentsOf: url), source: name, options: options)
        case "csv", "txt", "tsv":
            var o = options
            if o.delimiter == nil, url.pathExtension.lowercased() == "tsv" { o.delimiter = "\t" }
            return try readCSV(readFileBytes(url), file: name, options: o)
        default:
            throw DataError(.unsupportedFormat, file: name, position: "file name",
                            expected: "a .npz, .npy, .csv or .tsv file", found: quoted(url.pathExtension),
                            hint: "convert the data to CSV or NumPy .npz with arrays X and y")
        }
    }

    /// A cell's value as the CSV reader reads a feature cell (the same parser, so the same Double),
    /// or nil where the reader would refuse the cell (not a number, missing, not finite): callers
    /// with a fast path fall back to the reader, whose error names the problem.
    public static func finiteNumber(_ text: UnsafeRawBufferPointer) -> Double? {
        if case .number(let v) = CSVCore.parseCell(text), v.isFinite { return v }
        return nil
    }

    /// Reads a delimited text table held in memory (see `read(url:options:)`).
    public static func readCSV(_ bytes: [UInt8], file: String? = nil,
                               options: TabularReadOptions = TabularReadOptions()) throws -> TabularFile {
        let hasHeader = options.effectiveHasHeader
        let r = try csvCore(bytes, file: file, delimiter: options.delimiter ?? ",", hasHeader: hasHeader,
                            mapping: options.effectiveLabelMapping, skipBadRows: options.skipBadRows) { header, _ in
            try options.plan(header: header, file: file)
        }
        var data = r.data
        let schema: TableSchema
        if let s = options.schema {
            schema = s
        } else {
            schema = TableSchema(featureNames: r.plan.featureNames, labelColumn: options.labelColumn,
                                 labelMapping: r.mapping.flatMap { $0.isZeroOne ? nil : $0 },
                                 idColumns: options.idColumns, ignoredColumns: options.ignoredColumns,
                                 hasHeader: hasHeader)
        }
        data.featureNames = r.plan.featureNames
        var result = TabularFile(data: data, schema: schema, plan: r.plan)
        result.rowNumbers = r.rowNumbers
        result.skipped = r.skipped
        return result
    }

    /// Reads an ADBench-style archive (`X` features, labels from `options.labelColumn`,
    /// default `y` when present). With a schema, `X` is checked by column count (an array
    /// has no column names) and takes the schema's feature names.
    public static func read(npz archive: NPZArchive, options: TabularReadOptions = TabularReadOptions()) throws -> TabularFile {
        let file = archive.file
        try refuseColumnRoles(options, file: file)
        let x = try archive.array(named: "X")
        var data = try fromNPY(x, source: file ?? "", arrayName: "X")
        let yName: String? = options.labelColumn ?? (archive.contains("y") ? "y" : nil)
        var mapping: LabelMapping?
        if let yName {
            let y = try archive.array(named: yName)
            let r = try labels(from: y, rows: data.rows, file: file, arrayName: yName, mapping: options.effectiveLabelMapping)
            data.labels = r.labels
            mapping = r.mapping
        }
        return try finishArray(data, file: file, position: "array 'X'", labelArray: yName, mapping: mapping, options: options)
    }

    /// Reads a 2-D array without labels (see `read(npz:options:)`).
    public static func read(npy array: NPYArray, source: String,
                            options: TabularReadOptions = TabularReadOptions()) throws -> TabularFile {
        let file: String? = source.isEmpty ? nil : source
        try refuseColumnRoles(options, file: file)
        let data = try fromNPY(array, source: source)
        return try finishArray(data, file: file, position: "array", labelArray: nil, mapping: nil, options: options)
    }

    static func refuseColumnRoles(_ options: TabularReadOptions, file: String?) throws {
        let named = options.idColumns + options.ignoredColumns
        guard named.isEmpty else {
            throw DataError(.missingColumn, file: file, position: "columns " + TableSchema.list(named, limit: 10),
                            expected: "id or ignored columns only in a CSV file",
                            found: "a NumPy array, which has no column names",
                            hint: "drop those columns from the array, or convert it to CSV with a header row")
        }
    }

    static func finishArray(_ data: TabularData, file: String?, position: String, labelArray: String?,
                            mapping: LabelMapping?, options: TabularReadOptions) throws -> TabularFile {
        var data = data
        if let schema = options.schema {
            try schema.checkColumnCount(data.columns, file: file, position: position,
                                        reason: "a NumPy array has no column names")
            data.featureNames = schema.featureNames
            return TabularFile(data: data, schema: schema)
        }
        let schema = TableSchema(featureNames: data.featureNames, labelColumn: labelArray,
                                 labelMapping: mapping.flatMap { $0.isZeroOne ? nil : $0 }, hasHeader: false)
        return TabularFile(data: data, schema: schema)
    }

    /// Labels from a 1-D array through a mapping (numbers compare as numbers).
    static func labels(from y: NPYArray, rows: Int, file: String?, arrayName: String,
                       mapping: LabelMapping) throws -> (labels: [Int], mapping: LabelMapping) {
        let okShape = (y.shape.count == 1 && y.shape[0] == rows) || (y.shape.count == 2 && y.shape[0] == rows && y.shape[1] == 1)
        guard okShape else {
            throw DataError(.shapeMismatch, file: file, position: "array '\(arrayName)'",
                            expected: "shape (\(rows),) to match the \(rows) rows of the features",
                            found: "shape \(shapeString(y.shape))")
        }
        try mapping.validate(file: file)
        var table = LabelTable()
        var codes = [Int]()
        codes.reserveCapacity(rows)
        for (i, v) in y.values.enumerated() {
            let display = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
            codes.append(table.add(key: v.isFinite ? LabelTable.numberKey(v) : String(v), display: display,
                                   row: i, line: nil).index)
        }
        let classes = try mapping.resolve(table, file: file, column: "array '\(arrayName)'") { row, _ in
            "array '\(arrayName)', element \(row)"
        }
        return (codes.map { classes[$0] }, mapping.resolvedMapping(table, classes: classes))
    }
}

/// Names of numeric features that look like row ids: integers, strictly increasing over
/// all rows (so unique), in a table of at least `minimumRows` rows. A caller can warn that
/// such a column is probably an id and should be named as one rather than used as a feature.
public func idLikeFeatures(_ data: TabularData, minimumRows: Int = 20) -> [String] {
    guard data.rows >= max(2, minimumRows), data.columns > 0 else { return [] }
    var out: [String] = []
    for c in 0..<data.columns {
        var prev = -Double.infinity
        var ok = true
        for r in 0..<data.rows {
            let v = data.features[r * data.columns + c]
            guard v == v.rounded(), v > prev else { ok = false; break }
            prev = v
        }
        if ok { out.append(data.featureNames[c]) }
    }
    return out
}
