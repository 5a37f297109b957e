// The rows of a request body, read against the model's schema by the same reader as `imdad score`:
// a CSV body as it is, a JSON body turned into the same CSV (its keys the header) first, so that
// columns are matched by name, cells checked and errors worded by one piece of code.

import Foundation
import IMDADData
import IMDADReports

/// How a request's rows are read.
public struct RowReadOptions: Sendable, Equatable {
    /// Extra columns carried as row ids (the schema's own id columns are used when present).
    public var idColumns: [String] = []
    /// Extra columns left out.
    public var ignoredColumns: [String] = []
    /// CSV only: whether the body's first line names the columns (matched by name, also for a model
    /// trained without names: `x0`, `c0`, … as `GET /v1/model` lists them). Without one the
    /// columns are taken by position, as `imdad score --no-header` reads a file.
    public var csvHeader: Bool
    /// The most rows one request may carry (more: 413).
    public var maxRows: Int

    public init(idColumns: [String] = [], ignoredColumns: [String] = [], csvHeader: Bool = true, maxRows: Int) {
        self.idColumns = idColumns
        self.ignoredColumns = ignoredColumns
        self.csvHeader = csvHeader
        self.maxRows = maxRows
    }
}

/// Reads request bodies into tables.
public enum RequestRows {
    /// The name errors give the body.
    public static let source = "request body"

    /// The kinds of body the service reads, from a `Content-Type` header (parameters such as
    /// `charset` ignored).
    public enum BodyFormat: Sendable, Equatable {
        case json, csv

        /// The media type of a `Content-Type` value: before any `;`, without surrounding blanks, in
        /// lower case (bytewise: Foundation's trimming cost 4 % of a one-row request).
        static func mediaType(_ value: String) -> String {
            var bytes = Array(value.utf8.prefix { $0 != UInt8(ascii: ";") })
            while let b = bytes.last, b == 0x20 || b == 0x09 { bytes.removeLast() }
            let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? bytes.endIndex
            return String(decoding: bytes[start...].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        }

        public init(contentType: String?) throws(ServeError) {
            let media = Self.mediaType(contentType ?? "")
            switch media {
            case "application/json", "text/json": self = .json
            case "text/csv", "application/csv", "text/plain": self = .csv
            default:
                if media.hasPrefix("application/"), media.hasSuffix("+json") { self = .json; return }
                throw ServeError(
                    status: 415, kind: "unsupportedMediaType",
                    message: "expected Content-Type application/json (rows as objects keyed by column name) or "
                        + "text/csv (a header row, then one row per line), found "
                        + (contentType.map { "'\($0)'" } ?? "none"),
                    expected: "application/json or text/csv", found: contentType ?? "no Content-Type header")
            }
        }
    }

    /// Reads `body` against `schema`: matched by name (reordered as needed; the schema's label, id
    /// and ignored columns are used where present), every cell checked as `imdad score` checks it.
    public static func read(
        _ body: [UInt8], format: BodyFormat, schema: TableSchema,
        options: RowReadOptions
    ) throws(ServeError) -> TabularFile {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw ServeError(
                status: 400, kind: "empty", message: "\(source): expected rows, found an empty body",
                expected: format == .json ? "a JSON object {\"rows\": [{…}, …]}" : "a CSV header row and data rows",
                found: "an empty body")
        }
        var read = TabularReadOptions(idColumns: options.idColumns, ignoredColumns: options.ignoredColumns, schema: schema)
        let file: TabularFile
        do {
            switch format {
            case .csv:
                read.hasHeader = options.csvHeader
                if options.csvHeader { read.schema?.hasHeader = true }  // named columns, even for a model without names
                file = try TabularData.readCSV(body, file: source, options: read)
            case .json:
                let rows = try jsonRows(body, maxRows: options.maxRows)
                if let plain = plainRows(rows, schema: schema, options: options) { return plain }
                // JSON keys are names: matched by name even when the model was trained without them (c0, c1, …).
                read.hasHeader = true
                read.schema?.hasHeader = true
                let csv = try csvText(rows, schema: schema)
                do { file = try TabularData.readCSV(csv, file: source, options: read) } catch let e as DataError {
                    throw withoutLines(e)
                }
            }
        } catch let e as ServeError {
            throw e
        } catch let e as DataError {
            throw ServeError(inServiceWords(e))
        } catch {
            throw ServeError.badRequest("unreadable", "\(source): \(error)")
        }
        if file.data.rows > options.maxRows {
            throw tooManyRows(file.data.rows, max: options.maxRows)
        }
        return file
    }

    static func tooManyRows(_ rows: Int, max: Int) -> ServeError {
        ServeError(
            status: 413, kind: "tooManyRows",
            message: "\(source): expected at most \(max) rows per request, found \(rows)",
            expected: "at most \(max) rows", found: "\(rows)", hint: "split the rows over several requests")
    }

    /// The rows of a JSON body: syntax checked, at least one, at most `maxRows`.
    static func jsonRows(_ body: [UInt8], maxRows: Int) throws(ServeError) -> [JSONRow] {
        let rows: [JSONRow]
        do { rows = try RowsJSONParser.parse(body) } catch {
            throw ServeError(
                status: 400, kind: "malformedJSON", message: "\(source): \(error)", position: "byte \(error.offset + 1)",
                expected: error.expected, found: error.found,
                hint: "send {\"rows\": [{\"column\": number, …}, …]} or [{…}, …]")
        }
        guard !rows.isEmpty else {
            throw ServeError(
                status: 400, kind: "empty", message: "\(source): expected at least one row, found none",
                expected: "at least one row", found: "none")
        }
        if rows.count > maxRows { throw tooManyRows(rows.count, max: maxRows) }
        return rows
    }

    /// The common request read directly: every row keyed by exactly the model's features, every
    /// cell a number the CSV reader takes (`TabularData.finiteNumber`, the reader's own parser, so
    /// the same values), and no id or ignored columns named. Anything else gives nil and goes the
    /// general way below (JSON → CSV text → the CSV reader), whose errors name the problem. On a
    /// one-row request the general way cost about a fifth of the service's time (perf,
    /// experiments/serve/README.md).
    static func plainRows(_ rows: [JSONRow], schema: TableSchema, options: RowReadOptions) -> TabularFile? {
        let names = schema.featureNames, columns = names.count
        guard options.idColumns.isEmpty, options.ignoredColumns.isEmpty, schema.idColumns.isEmpty, let first = rows.first,
            first.keys.count == columns
        else { return nil }
        // Where each of the first row's cells goes; later rows with the same keys in the same order reuse it.
        var place = [Int](repeating: -1, count: columns)
        if first.keys == names {
            place = Array(0..<columns)
        } else {
            let index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for (k, key) in first.keys.enumerated() {
                guard let j = index[key] else { return nil }
                place[k] = j
            }
        }
        var features = [Double](repeating: 0, count: rows.count * columns)
        for (r, row) in rows.enumerated() {
            guard row.keys == first.keys else { return nil }
            for (k, cell) in row.cells.enumerated() {
                guard case .number(let text) = cell else { return nil }
                let v = text.withContiguousStorageIfAvailable { TabularData.finiteNumber(UnsafeRawBufferPointer($0)) }
                    ?? Array(text).withUnsafeBytes { TabularData.finiteNumber($0) }
                guard let v else { return nil }
                features[r * columns + place[k]] = v
            }
        }
        return TabularFile(
            data: TabularData(rows: rows.count, columns: columns, features: features, featureNames: names, source: source),
            schema: schema)
    }

    /// The JSON rows as CSV text: the header is the first row's keys (the schema's features first, in
    /// its order); numbers as their JSON text, text quoted, true/false as text, null as an empty cell
    /// (so the CSV reader checks every cell as it checks a file's). Every row must have the first row's keys.
    static func csvText(_ rows: [JSONRow], schema: TableSchema) throws -> [UInt8] {
        guard let first = rows.first else { return [] }
        let order = Dictionary(schema.featureNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let header = first.keys.sorted { (order[$0] ?? Int.max, $0) < (order[$1] ?? Int.max, $1) }
        let firstPlace = Dictionary(first.keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let firstOrder = header.map { firstPlace[$0] ?? 0 }
        var out = Array((header.map(Format.csvField).joined(separator: ",") + "\n").utf8)
        out.reserveCapacity(rows.count * (first.keys.count * 8 + 1))
        for (n, row) in rows.enumerated() {
            var cellOrder = firstOrder
            if row.keys != first.keys {
                let place = Dictionary(row.keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
                let places = header.compactMap { place[$0] }
                guard row.keys.count == header.count, places.count == header.count else {
                    let missing = header.filter { place[$0] == nil }, extra = row.keys.filter { firstPlace[$0] == nil }
                    throw ServeError(
                        DataError(
                            .raggedRow, file: source, position: "row \(n + 1)", expected: "the keys of row 1",
                            found: SchemaDifference(missing: missing, unexpected: extra).description,
                            hint: "give every row the same keys"))
                }
                cellOrder = places
            }
            for (k, j) in cellOrder.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                switch row.cells[j] {
                case .number(let digits): out.append(contentsOf: digits)
                case .text(let s):
                    out.append(UInt8(ascii: "\""))
                    for b in s.utf8 {
                        if b == UInt8(ascii: "\"") { out.append(b) }
                        out.append(b)
                    }
                    out.append(UInt8(ascii: "\""))
                case .bool(let b): out.append(contentsOf: Array((b ? "\"true\"" : "\"false\"").utf8))
                case .null: break
                }
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    /// A JSON body's rows were read as CSV: its positions name rows, not the CSV's lines.
    static func withoutLines(_ e: DataError) -> DataError {
        var e = e
        e.position = e.position.replacingOccurrences(of: #" \(line \d+\)"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"^line \d+ \(header\)"#, with: "keys", options: .regularExpression)
        if e.position == "header" { e.position = "keys" }
        return e
    }

    /// The reader's hints name its options; the service's name its query parameters.
    static func inServiceWords(_ e: DataError) -> DataError {
        var e = e
        let words = [
            ("(hasHeader: false)", "(?header=false)"), ("idColumns", "?id_column=NAME"), ("ignoredColumns", "?ignore_column=NAME"),
        ]
        e.hint = e.hint.map { words.reduce($0) { $0.replacingOccurrences(of: $1.0, with: $1.1) } }
        if e.kind == .schemaMismatch {
            e.hint =
                (e.hint.map { $0 + "; " } ?? "") + "columns that are not features can be named with ?id_column=NAME or ?ignore_column=NAME"
        }
        return e
    }
}
