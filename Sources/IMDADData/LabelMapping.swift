import Foundation

/// How the raw text of a label column maps to 1 = anomaly and 0 = normal.
///
/// Values are compared trimmed and case-insensitively; values that read as numbers compare
/// as numbers (so `-1`, `-1.0` and `-1e0` are the same value).
///
/// - Neither value given (the default): the labels must be `0` (normal) or `1` (anomaly).
///   Any other value is refused with `DataError.Kind.badLabel`, listing the distinct values
///   seen (with counts) and suggesting to name the anomaly value.
/// - Both given: `anomalyValue` → 1, `normalValue` → 0; any other value is refused with
///   `.badLabel`, naming the row (line) where it first occurs and listing the values seen.
///   For example `yes`/`no`, `true`/`false`, `fraud`/`legit`, or scikit-learn's
///   `LabelMapping.scikitLearn` (`-1` = anomaly, `1` = normal).
/// - Only `anomalyValue` given: the column may hold exactly one other distinct value, which
///   is taken as normal; more than one other value is refused (listing them), because a
///   stray value (a typo, `unknown`, …) should not silently become "normal".
///   Only `normalValue` given works the same way the other way round.
///
/// A label cell that is empty or a missing-value token (`NA`, `?`, …) is refused with
/// `.missingValue`.
public struct LabelMapping: Codable, Equatable, Hashable, Sendable {
    /// The text that marks an anomaly (label 1); nil: see the type's documentation.
    public var anomalyValue: String?
    /// The text that marks a normal row (label 0); nil: see the type's documentation.
    public var normalValue: String?

    public init(anomalyValue: String? = nil, normalValue: String? = nil) {
        self.anomalyValue = anomalyValue
        self.normalValue = normalValue
    }

    /// Labels 0 (normal) and 1 (anomaly): the default.
    public static let zeroOne = LabelMapping()
    /// scikit-learn's outlier convention: `-1` = anomaly (outlier), `1` = normal (inlier).
    public static let scikitLearn = LabelMapping(anomalyValue: "-1", normalValue: "1")

    /// True when neither value is named (labels must be 0/1).
    public var isZeroOne: Bool { anomalyValue == nil && normalValue == nil }

    /// Maps raw label texts (one per row) to 1 = anomaly / 0 = normal.
    ///
    /// Positions in errors are `row k` with `k` 1-based (the k-th value of `values`); when
    /// `lines` is given (one 1-based file line per value) they read `row k (line m)`.
    public func map(_ values: [String], file: String? = nil, column: String? = nil,
                    lines: [Int]? = nil) throws -> [Int] {
        precondition(lines == nil || lines?.count == values.count, "LabelMapping.map: lines count != values count")
        var table = LabelTable()
        var codes = [Int]()
        codes.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            let t = v.trimmingCharacters(in: .whitespaces)
            if case .missing = LabelTable.cell(t) {
                throw DataError(.missingValue, file: file,
                                position: LabelTable.position(row: i + 1, line: lines?[i], column: column),
                                expected: "a label", found: t.isEmpty ? "an empty cell" : quoted(t))
            }
            codes.append(table.add(t, row: i + 1, line: lines?[i]).index)
        }
        let classes = try resolve(table, file: file, column: column)
        return codes.map { classes[$0] }
    }

    /// The mapping with both values named as they occur in `values` (what a model should
    /// store so that later files are read the same way). Throws like `map`.
    public func resolved(for values: [String], file: String? = nil, column: String? = nil) throws -> LabelMapping {
        var table = LabelTable()
        for (i, v) in values.enumerated() { _ = table.add(v.trimmingCharacters(in: .whitespaces), row: i + 1, line: nil) }
        let classes = try resolve(table, file: file, column: column)
        return resolvedMapping(table, classes: classes)
    }

    // MARK: internals

    func resolvedMapping(_ table: LabelTable, classes: [Int]) -> LabelMapping {
        if isZeroOne { return self }
        var m = self
        if m.normalValue == nil, let i = classes.firstIndex(of: 0) { m.normalValue = table.values[i] }
        if m.anomalyValue == nil, let i = classes.firstIndex(of: 1) { m.anomalyValue = table.values[i] }
        return m
    }

    /// Checks the two named values differ.
    func validate(file: String?) throws {
        if let a = anomalyValue, let n = normalValue, LabelTable.key(a) == LabelTable.key(n) {
            throw DataError(.badLabel, file: file, position: "label mapping",
                            expected: "different values for anomalies and normal rows",
                            found: "\(quoted(a)) for both", hint: "name the anomaly value and the normal value")
        }
    }

    /// Class (0/1) of one distinct value, or nil when it is neither named value
    /// (or when the mapping leaves it to `resolve` to decide).
    func fixedClass(key: String) -> Int? {
        if isZeroOne {
            if key == LabelTable.zeroKey { return 0 }
            if key == LabelTable.oneKey { return 1 }
            return nil
        }
        if let a = anomalyValue, LabelTable.key(a) == key { return 1 }
        if let n = normalValue, LabelTable.key(n) == key { return 0 }
        return nil
    }

    /// Decides the class of every distinct value in `table`, all values known.
    func resolve(_ table: LabelTable, file: String?, column: String?,
                 positionOf: ((_ row: Int, _ line: Int?) -> String)? = nil, only: Int? = nil) throws -> [Int] {
        try validate(file: file)
        var classes = [Int](repeating: -1, count: table.values.count)
        var unknown: [Int] = []
        for i in table.values.indices {
            if let c = fixedClass(key: table.keys[i]) { classes[i] = c } else { unknown.append(i) }
        }
        // `only`: the unknown value to report (the one just met while streaming).
        guard let first = only.flatMap({ unknown.contains($0) ? $0 : nil }) ?? unknown.first else { return classes }
        let oneSided = (anomalyValue == nil) != (normalValue == nil)
        if oneSided {
            if unknown.count == 1 {
                classes[first] = anomalyValue != nil ? 0 : 1
                return classes
            }
            let named = anomalyValue.map { "\(quoted($0)) (anomaly)" } ?? normalValue.map { "\(quoted($0)) (normal)" } ?? ""
            let other = anomalyValue != nil ? "normal" : "anomaly"
            let position = positionOf == nil ? column.map { "column '\($0)'" } ?? "labels" : column ?? "labels"
            throw DataError(.badLabel, file: file, position: position,
                            expected: "besides \(named) exactly one other value (taken as \(other))",
                            found: "\(unknown.count) other values; values seen: \(table.summary())",
                            hint: "name the \(other) value as well (\(anomalyValue != nil ? "normalValue" : "anomalyValue")), "
                                + "or fix the stray values")
        }
        let pos = positionOf?(table.firstRow[first], table.firstLine[first])
            ?? LabelTable.position(row: table.firstRow[first], line: table.firstLine[first], column: column)
        if isZeroOne {
            throw DataError(.badLabel, file: file, position: pos,
                            expected: "a label 0 (normal) or 1 (anomaly)", found: quoted(table.values[first]),
                            hint: "values seen: \(table.summary()); name the value that marks an anomaly (anomalyValue) and, "
                                + "if the column holds more than two values, the normal one (normalValue); "
                                + "or map your classes to 0 = normal, 1 = anomaly")
        }
        throw DataError(.badLabel, file: file, position: pos,
                        expected: "\(quoted(anomalyValue ?? "")) (anomaly) or \(quoted(normalValue ?? "")) (normal)",
                        found: quoted(table.values[first]),
                        hint: "values seen: \(table.summary()); fix or drop the rows with other values")
    }

    /// Class of a value met while streaming (all earlier values already classified in
    /// `classes`). One-sided mappings take the first other value as the opposite class
    /// and refuse a second one.
    func classifyStreaming(_ table: LabelTable, index: Int, classes: [Int], file: String?, column: String?) throws -> Int {
        if let c = fixedClass(key: table.keys[index]) { return c }
        let oneSided = (anomalyValue == nil) != (normalValue == nil)
        if oneSided {
            let other = anomalyValue != nil ? 0 : 1
            if !classes.contains(other) { return other } // the first other value
            let named = anomalyValue.map { "\(quoted($0)) (anomaly)" } ?? normalValue.map { "\(quoted($0)) (normal)" } ?? ""
            let otherName = other == 0 ? "normal" : "anomaly"
            throw DataError(.badLabel, file: file,
                            position: LabelTable.position(row: table.firstRow[index], line: table.firstLine[index], column: column),
                            expected: "besides \(named) exactly one other value (taken as \(otherName))",
                            found: "\(quoted(table.values[index])), a second other value; values seen so far: \(table.summary())",
                            hint: "name the \(otherName) value as well (\(anomalyValue != nil ? "normalValue" : "anomalyValue")), "
                                + "or fix the stray values")
        }
        // Same errors as `resolve`, for this value (earlier refused values may be in the table
        // when bad rows are left out).
        _ = try resolve(table, file: file, column: column, only: index)
        return -1 // unreachable: resolve throws for an unknown value
    }

    /// The error for a later row holding a value already refused while streaming.
    func refusedValueError(_ table: LabelTable, index: Int, file: String?, position: String) -> DataError {
        let first = LabelTable.position(row: table.firstRow[index], line: table.firstLine[index], column: nil)
        return DataError(.badLabel, file: file, position: position,
                         expected: isZeroOne ? "a label 0 (normal) or 1 (anomaly)"
                             : "\(quoted(anomalyValue ?? "")) (anomaly) or \(quoted(normalValue ?? "")) (normal)",
                         found: "\(quoted(table.values[index])), refused first at \(first)",
                         hint: "values seen so far: \(table.summary())")
    }
}

/// The distinct label values of a column, in order of first appearance.
struct LabelTable {
    static let zeroKey = "\u{1}0.0"
    static let oneKey = "\u{1}1.0"

    private var index: [String: Int] = [:]
    /// First spelling of each distinct value (trimmed).
    var values: [String] = []
    /// Normalized keys (numbers canonical, text lowercased).
    var keys: [String] = []
    var counts: [Int] = []
    /// 1-based data row and file line of each value's first occurrence (line nil if unknown).
    var firstRow: [Int] = []
    var firstLine: [Int?] = []
    private var zeroIndex: Int?
    private var oneIndex: Int?

    static func cell(_ text: String) -> CSVCore.Cell {
        var t = text
        return t.withUTF8 { CSVCore.parseCell(UnsafeRawBufferPointer($0)) }
    }

    /// Normalized comparison key: numbers canonical, text trimmed and lowercased.
    static func key(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        if case .number(let v) = cell(t), v.isFinite { return numberKey(v) }
        return t.lowercased()
    }

    static func numberKey(_ v: Double) -> String { "\u{1}" + String(v == 0 ? 0.0 : v) }

    static func position(row: Int, line: Int?, column: String?) -> String {
        var s = "row \(row)"
        if let line { s += " (line \(line))" }
        if let column { s += ", column '\(column)'" }
        return s
    }

    /// Records one occurrence of `text` (already trimmed); returns its distinct index.
    mutating func add(_ text: String, row: Int, line: Int?) -> (index: Int, isNew: Bool) {
        add(key: LabelTable.key(text), display: text, row: row, line: line)
    }

    mutating func add(key: String, display: String, row: Int, line: Int?) -> (index: Int, isNew: Bool) {
        if let i = index[key] {
            counts[i] += 1
            return (i, false)
        }
        let i = values.count
        index[key] = i
        values.append(display)
        keys.append(key)
        counts.append(1)
        firstRow.append(row)
        firstLine.append(line)
        if key == LabelTable.zeroKey { zeroIndex = i }
        if key == LabelTable.oneKey { oneIndex = i }
        return (i, true)
    }

    /// Fast path for a one-byte `0` / `1` cell already seen; nil when not applicable.
    mutating func addFast(byte b: UInt8) -> Int? {
        if b == UInt8(ascii: "0"), let i = zeroIndex { counts[i] += 1; return i }
        if b == UInt8(ascii: "1"), let i = oneIndex { counts[i] += 1; return i }
        return nil
    }

    /// `"no" ×30, "yes" ×12, … and 3 more` — up to `limit` values, most frequent first.
    func summary(limit: Int = 10) -> String {
        let order = values.indices.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        var parts = order.prefix(limit).map { "\(quoted(values[$0])) ×\(counts[$0])" }
        if order.count > limit { parts.append("and \(order.count - limit) more") }
        return parts.joined(separator: ", ")
    }
}
