// How the commands that read a table (`train`, `score`, `explain`, `report`) are told which
// columns are what: the label and its values, ids, ignored columns, a missing header row.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors

/// The column options shared by every command that reads a table.
struct ColumnOptions: ParsableArguments {
    @Option(help: "The label column (CSV) or label array (NPZ; default y).") var labelColumn: String?
    @Option(parsing: .unconditional,
            help: ArgumentHelp("The label value of a confirmed anomaly (yes, true, fraud, -1 for scikit-learn's labels, …; "
                               + "default 1). Values compare without case.", valueName: "value"))
    var anomalyLabel: String?
    @Option(parsing: .unconditional,
            help: ArgumentHelp("The label value of normal or unlabeled rows (no, false, 1 for scikit-learn's labels, …; "
                               + "default 0, or the one other value when only --anomaly-label is given).", valueName: "value"))
    var normalLabel: String?
    @Option(name: .customLong("id-column"), help: ArgumentHelp("A column of row ids (any text): carried into the output, "
                                                               + "never a feature. Repeat for several.", valueName: "name"))
    var idColumns: [String] = []
    @Option(help: ArgumentHelp("Comma-separated columns to leave out.", valueName: "a,b,…")) var ignoreColumns: String?
    @Flag(help: "The CSV has no header row: its columns are c0, c1, … by position.") var noHeader = false
    @Option(help: "CSV delimiter (default: comma; tab for .tsv).") var delimiter: String?

    func validate() throws {
        if let delimiter, delimiter.count != 1 { throw ValidationError("--delimiter must be one character, got '\(delimiter)'") }
        if let a = anomalyLabel, let n = normalLabel, a.lowercased() == n.lowercased() {
            throw ValidationError("--anomaly-label and --normal-label are both '\(a)'; give two different values")
        }
    }

    var ignored: [String] {
        (ignoreColumns ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The reading options: a training file without `schema`, a file to score against it with one.
    func readOptions(schema: TableSchema?) -> TabularReadOptions {
        let mapping = anomalyLabel == nil && normalLabel == nil ? nil : LabelMapping(anomalyValue: anomalyLabel, normalValue: normalLabel)
        return TabularReadOptions(labelColumn: labelColumn, labelMapping: mapping, idColumns: idColumns, ignoredColumns: ignored,
                                  hasHeader: noHeader ? false : nil, delimiter: delimiter.flatMap(\.first), schema: schema)
    }

    /// Reads a whole table, with the data errors in the command line's words.
    func read(_ path: String, schema: TableSchema?, skipBadRows: Bool = false) throws -> TabularFile {
        var options = readOptions(schema: schema)
        options.skipBadRows = skipBadRows
        do { return try TabularData.read(url: URL(fileURLWithPath: path), options: options) } catch let e as DataError {
            throw withFlags(e)
        }
    }

    /// A data error whose fix is a flag, with the flag named: the library's hints name reading
    /// options (`hasHeader`, `anomalyValue`), the command line's name its flags.
    func withFlags(_ e: DataError) -> DataError {
        var e = e
        let flags = [("(hasHeader: false)", "(--no-header)"), ("anomalyValue", "--anomaly-label"), ("normalValue", "--normal-label"),
                     ("idColumns", "--id-column"), ("ignoredColumns", "--ignore-columns"), ("labelColumn", "--label-column")]
        e.hint = e.hint.map { flags.reduce($0) { $0.replacingOccurrences(of: $1.0, with: $1.1) } }
        switch e.kind {
        case .headerLooksLikeData:
            e.hint = "if the file has no header row, pass --no-header (its columns are then named c0, c1, … by position)"
        case .nonNumeric:
            if let r = e.position.range(of: "column '"), let end = e.position[r.upperBound...].firstIndex(of: "'") {
                let name = String(e.position[r.upperBound..<end])
                e.hint = "if '\(name)' is not a feature, pass --id-column \(name) to carry it as a row id, "
                    + "or --ignore-columns \(name) to leave it out; else encode it as numbers"
            }
        case .schemaMismatch:
            e.hint = (e.hint.map { $0 + "; " } ?? "") + "columns that are not features can be named with --id-column or --ignore-columns"
        default:
            break
        }
        return e
    }
}
