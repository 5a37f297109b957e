import Foundation

/// The columns a model was trained on, stored with the model so that every later file
/// (scoring, explaining, reporting) is read the same way.
///
/// - `featureNames`: the features in training order (the order of the model's inputs).
/// - `labelColumn`, `labelMapping`: the label column and how its text maps to 0/1
///   (resolved: both values named when the training file used text labels).
/// - `idColumns`: columns carried through as row identifiers (text), never features.
/// - `ignoredColumns`: columns dropped.
/// - `hasHeader`: false when the training data had no column names (a CSV read without a
///   header row, or a NumPy array). CSV columns are then named by position `c0`, `c1`, …
///   and files are matched to the schema by position and count instead of by name.
///
/// Files with column names are matched by name (`plan(header:)`): columns may come in any
/// order; label, id and ignored columns are skipped as features; a missing, unknown or
/// renamed feature is refused with `DataError.Kind.schemaMismatch`, listing the difference.
/// Arrays without names are checked by count (`checkColumnCount`,
/// `DataError.Kind.columnCountMismatch`).
public struct TableSchema: Codable, Equatable, Sendable {
    public var featureNames: [String]
    public var labelColumn: String?
    public var labelMapping: LabelMapping?
    public var idColumns: [String]
    public var ignoredColumns: [String]
    public var hasHeader: Bool

    public init(featureNames: [String], labelColumn: String? = nil, labelMapping: LabelMapping? = nil,
                idColumns: [String] = [], ignoredColumns: [String] = [], hasHeader: Bool = true) {
        self.featureNames = featureNames
        self.labelColumn = labelColumn
        self.labelMapping = labelMapping
        self.idColumns = idColumns
        self.ignoredColumns = ignoredColumns
        self.hasHeader = hasHeader
    }

    enum CodingKeys: String, CodingKey {
        case featureNames, labelColumn, labelMapping, idColumns, ignoredColumns, hasHeader
    }

    /// Decodes tolerantly: every field but `featureNames` may be absent (older files).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        featureNames = try c.decode([String].self, forKey: .featureNames)
        labelColumn = try c.decodeIfPresent(String.self, forKey: .labelColumn)
        labelMapping = try c.decodeIfPresent(LabelMapping.self, forKey: .labelMapping)
        idColumns = try c.decodeIfPresent([String].self, forKey: .idColumns) ?? []
        ignoredColumns = try c.decodeIfPresent([String].self, forKey: .ignoredColumns) ?? []
        hasHeader = try c.decodeIfPresent(Bool.self, forKey: .hasHeader) ?? true
    }

    /// What makes this schema unusable (a damaged model file), or nil: a feature named twice, a
    /// column in two roles (a feature and the label, an id and ignored, …), a label mapping naming
    /// one value for both classes.
    public var inconsistency: String? {
        var role: [String: String] = [:]
        for n in featureNames {
            if role[n] != nil { return "feature '\(n)' named twice" }
            role[n] = "a feature"
        }
        let others = (labelColumn.map { [($0, "the label column")] } ?? []) + idColumns.map { ($0, "an id column") }
            + ignoredColumns.map { ($0, "an ignored column") }
        for (n, r) in others {
            if let other = role[n], other != r { return "column '\(n)' is both \(other) and \(r)" }
            role[n] = r
        }
        if let m = labelMapping, (try? m.validate(file: nil)) == nil {
            return "label mapping names \(quoted(m.anomalyValue ?? "")) for both classes"
        }
        return nil
    }

    /// The name of the column at 0-based position `i` in a file without a header row: `c<i>`.
    public static func positionalName(_ i: Int) -> String { "c\(i)" }

    /// `c0`, `c1`, … for `count` columns.
    public static func positionalNames(count: Int) -> [String] { (0..<count).map(positionalName) }

    // MARK: planning

    /// The plan to read a training file with the given column names (in file order):
    /// every column that is not the label, an id or ignored is a feature, in file order.
    /// The label, id and ignored columns must exist; names must be unique.
    public static func trainingPlan(header: [String], labelColumn: String? = nil, idColumns: [String] = [],
                                    ignoredColumns: [String] = [], file: String? = nil) throws -> ColumnPlan {
        try checkUnique(header, file: file)
        try checkRoles(labelColumn: labelColumn, idColumns: idColumns, ignoredColumns: ignoredColumns, file: file)
        let label = try labelColumn.map { try index(of: $0, in: header, role: "label column", file: file) }
        let ids = try idColumns.map { try index(of: $0, in: header, role: "id column", file: file) }
        let ignored = try ignoredColumns.map { try index(of: $0, in: header, role: "ignored column", file: file) }
        let skip = Set(ids + ignored + (label.map { [$0] } ?? []))
        let features = header.indices.filter { !skip.contains($0) }
        return ColumnPlan(header: header, featureColumns: features, featureNames: features.map { header[$0] },
                          labelColumn: label, idColumns: ids, idNames: idColumns, ignoredColumns: ignored,
                          byCount: false)
    }

    /// The difference between this schema's features and a file's columns (label, id and
    /// ignored columns of the schema, plus `otherColumns`, do not count as unexpected).
    public func difference(header: [String], otherColumns: [String] = []) -> SchemaDifference {
        let nonFeatures = Set(idColumns + ignoredColumns + otherColumns + (labelColumn.map { [$0] } ?? []))
        let present = Set(header)
        let known = Set(featureNames)
        return SchemaDifference(missing: featureNames.filter { !present.contains($0) },
                                unexpected: header.filter { !known.contains($0) && !nonFeatures.contains($0) })
    }

    /// The plan to read a file with the given column names against this schema.
    ///
    /// With `hasHeader` the columns are matched by name: features are taken in the schema's
    /// order wherever they are in the file; the schema's label, id and ignored columns are
    /// used when present and may be absent. `labelColumn`, `idColumns` and `ignoredColumns`
    /// name further such columns for this file only; these must be present.
    /// Without `hasHeader` (positional schema) the non-label, non-id, non-ignored columns are
    /// the features in file order, checked by count.
    ///
    /// - Throws: `.schemaMismatch` listing missing and unexpected features (a single one of
    ///   each is suggested as a rename); `.columnCountMismatch` for a positional schema;
    ///   `.malformedHeader` for duplicate names; `.missingColumn` for a named extra column
    ///   that is absent.
    public func plan(header: [String], file: String? = nil, labelColumn extraLabel: String? = nil,
                     idColumns extraIDs: [String] = [], ignoredColumns extraIgnored: [String] = []) throws -> ColumnPlan {
        try TableSchema.checkUnique(header, file: file)
        let names = Dictionary(header.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        // Columns this call names must exist; the schema's own may be absent.
        for n in extraIDs { _ = try TableSchema.index(of: n, in: header, role: "id column", file: file) }
        for n in extraIgnored { _ = try TableSchema.index(of: n, in: header, role: "ignored column", file: file) }
        let labelName = extraLabel ?? self.labelColumn
        let label: Int? = try extraLabel.map { try TableSchema.index(of: $0, in: header, role: "label column", file: file) }
            ?? labelName.flatMap { names[$0] }
        var idNames: [String] = []
        for n in idColumns + extraIDs where !idNames.contains(n) && names[n] != nil { idNames.append(n) }
        let ids = idNames.map { names[$0]! }
        var ignored: [Int] = []
        for n in ignoredColumns + extraIgnored { if let i = names[n], !ignored.contains(i) { ignored.append(i) } }
        // One role per column: a column cannot be both the label and an id, say (the schema's
        // roles and this call's together).
        var role: [Int: String] = [:]
        let roles = (label.map { [($0, "label column")] } ?? []) + ids.map({ ($0, "id column") }) + ignored.map({ ($0, "ignored column") })
        for (i, r) in roles {
            if let other = role[i], other != r {
                throw DataError(.malformedHeader, file: file, position: "column '\(header[i])'",
                                expected: "one role per column", found: "both \(other) and \(r)",
                                hint: "name the column in one role only")
            }
            role[i] = r
        }
        let skip = Set(role.keys)

        if !hasHeader {
            let features = header.indices.filter { !skip.contains($0) }
            guard features.count == featureNames.count else {
                throw countError(features.count, file: file, position: "header",
                                 reason: "the training data had no column names")
            }
            return ColumnPlan(header: header, featureColumns: features, featureNames: featureNames,
                              labelColumn: label, idColumns: ids, idNames: idNames, ignoredColumns: ignored, byCount: true)
        }

        let diff = difference(header: header, otherColumns: extraIDs + extraIgnored + (extraLabel.map { [$0] } ?? []))
        if !diff.isEmpty {
            var hint: String
            if let r = diff.possibleRename {
                hint = "'\(r.from)' may have been renamed to '\(r.to)'; rename the column back to '\(r.from)'"
            } else if !diff.unexpected.isEmpty && diff.missing.isEmpty {
                hint = "drop the extra columns or mark them ignored (ignoredColumns) or as ids (idColumns)"
            } else {
                hint = "the model was trained on \(featureNames.count) features: \(TableSchema.list(featureNames, limit: 20))"
            }
            if !header.isEmpty, header == TableSchema.positionalNames(count: header.count) {
                hint += "; the file was read without a header row, but the model knows column names"
            }
            throw DataError(.schemaMismatch, file: file, position: "header",
                            expected: "the \(featureNames.count) feature columns the model was trained on",
                            found: diff.description, hint: hint)
        }
        let features = featureNames.map { names[$0]! }
        // A feature of the model read as the label, an id or ignored would be read as 0 (or
        // twice): refused, as is a schema naming a feature twice (a damaged model file).
        for (k, c) in features.enumerated() {
            if let r = role[c] {
                throw DataError(.malformedHeader, file: file, position: "column '\(header[c])'",
                                expected: "one role per column", found: "both a feature of the model and the \(r)",
                                hint: "the model uses '\(header[c])' as a feature; do not name it as the label, an id or ignored")
            }
            if features[..<k].contains(c) {
                throw DataError(.malformedHeader, file: file, position: "schema",
                                expected: "each feature once", found: "'\(header[c])' twice in the model's features")
            }
        }
        // Every column read in no role is dropped and listed as such: the ignored ones, and the
        // schema's label when this file names another (scoring a file that still has the training
        // label beside the label a user evaluates against).
        let kept = Set(features + ids + (label.map { [$0] } ?? []))
        let dropped = ignored + header.indices.filter { !kept.contains($0) && !ignored.contains($0) }
        return ColumnPlan(header: header, featureColumns: features, featureNames: featureNames,
                          labelColumn: label, idColumns: ids, idNames: idNames, ignoredColumns: dropped, byCount: false)
    }

    /// Checks an array without column names (NPY / NPZ) by its number of feature columns.
    /// - Throws: `.columnCountMismatch`, saying the check was by count.
    public func checkColumnCount(_ count: Int, file: String? = nil, position: String = "array",
                                 reason: String = "the file has no column names") throws {
        guard count == featureNames.count else {
            throw countError(count, file: file, position: position, reason: reason)
        }
    }

    func countError(_ count: Int, file: String?, position: String, reason: String) -> DataError {
        DataError(.columnCountMismatch, file: file, position: position,
                  expected: "\(featureNames.count) feature columns (\(TableSchema.list(featureNames, limit: 8)))",
                  found: "\(count)",
                  hint: "checked by count, not by name, because \(reason); pass the same features, in the same order, as in training")
    }

    // MARK: helpers

    static func list(_ names: [String], limit: Int) -> String {
        var parts = names.prefix(limit).map { "'\($0)'" }
        if names.count > limit { parts.append("… and \(names.count - limit) more") }
        return parts.joined(separator: ", ")
    }

    static func checkUnique(_ header: [String], file: String?) throws {
        var seen: [String: Int] = [:]
        for (i, n) in header.enumerated() {
            if let j = seen[n] {
                throw DataError(.malformedHeader, file: file, position: "header",
                                expected: "unique column names",
                                found: "'\(n)' twice (fields \(j + 1) and \(i + 1))",
                                hint: "rename one of the columns so that columns can be matched by name")
            }
            seen[n] = i
        }
    }

    static func checkRoles(labelColumn: String?, idColumns: [String], ignoredColumns: [String], file: String?) throws {
        var role: [String: String] = [:]
        let all = (labelColumn.map { [($0, "label column")] } ?? []) + idColumns.map { ($0, "id column") }
            + ignoredColumns.map { ($0, "ignored column") }
        for (n, r) in all {
            if let other = role[n] {
                throw DataError(.malformedHeader, file: file, position: "column '\(n)'",
                                expected: "one role per column", found: "both \(other) and \(r)")
            }
            role[n] = r
        }
    }

    static func index(of name: String, in header: [String], role: String, file: String?) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw DataError(.missingColumn, file: file, position: "header",
                            expected: "a \(role) named '\(name)'", found: "columns " + list(header, limit: 30))
        }
        return i
    }
}

/// How a file's columns differ from a schema's features.
public struct SchemaDifference: Equatable, Sendable, CustomStringConvertible {
    /// Features of the schema that the file lacks, in schema order.
    public var missing: [String]
    /// Columns of the file that are neither features nor label / id / ignored, in file order.
    public var unexpected: [String]

    public init(missing: [String], unexpected: [String]) {
        self.missing = missing
        self.unexpected = unexpected
    }

    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty }

    /// With exactly one missing and one unexpected column, probably a rename.
    public var possibleRename: (from: String, to: String)? {
        missing.count == 1 && unexpected.count == 1 ? (missing[0], unexpected[0]) : nil
    }

    /// `missing: ['a'], unexpected: ['b']` (an empty side is left out).
    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing: [" + TableSchema.list(missing, limit: 20) + "]") }
        if !unexpected.isEmpty { parts.append("unexpected: [" + TableSchema.list(unexpected, limit: 20) + "]") }
        return parts.joined(separator: ", ")
    }
}

/// Which file column feeds which part of a table: the result of matching a file's header
/// to a schema (`TableSchema.plan(header:)`) or of choosing the columns of a training file
/// (`TableSchema.trainingPlan`). Column indices are 0-based positions in the file.
public struct ColumnPlan: Equatable, Sendable {
    /// The file's column names in file order (`c0`, `c1`, … without a header row).
    public var header: [String]
    /// For each feature, in the schema's (model input) order, its column in the file.
    public var featureColumns: [Int]
    /// The features' names, in the schema's order.
    public var featureNames: [String]
    /// The label's column, if the file has it.
    public var labelColumn: Int?
    /// The id columns present in the file, and their names (same order).
    public var idColumns: [Int]
    public var idNames: [String]
    /// Every column dropped (read in no role): the ignored columns, then any other in file order.
    public var ignoredColumns: [Int]
    /// True when features were matched by position and count, not by name.
    public var byCount: Bool

    public init(header: [String], featureColumns: [Int], featureNames: [String], labelColumn: Int?,
                idColumns: [Int], idNames: [String], ignoredColumns: [Int], byCount: Bool) {
        self.header = header
        self.featureColumns = featureColumns
        self.featureNames = featureNames
        self.labelColumn = labelColumn
        self.idColumns = idColumns
        self.idNames = idNames
        self.ignoredColumns = ignoredColumns
        self.byCount = byCount
    }

    /// True when the file's features come in another order than the schema's.
    public var isReordered: Bool { featureColumns != featureColumns.sorted() }
}
