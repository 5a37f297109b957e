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
    /// CSV only: whether the body's first line names the columns (nil: yes, unless the model was
    /// trained without column names, as `imdad score` reads a file).
    public var csvHeader: Bool?
    /// The most rows one request may carry (more: 413).
    public var maxRows: Int

    public init(idColumns: [String] = [], ignoredColumns: [String] = [], csvHeader: Bool? = nil, maxRows: Int) {
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

        public init(contentType: String?) throws(ServeError) {
            let media = (contentType ?? "").split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
            switch media {
            case "application/json", "text/json": self = .json
            case "text/csv", "application/csv", "text/plain": self = .csv
            default:
                if media.hasPrefix("application/"), media.hasSuffix("+json") { self = .json; return }
                throw ServeError(status: 415, kind: "unsupportedMediaType",
                                 message: "expected Content-Type application/json (rows as objects keyed by column name) or "
                                     + "text/csv (a header row, then one row per line), found "
                                     + (contentType.map { "'\($0)'" } ?? "none"),
                                 expected: "application/json or text/csv", found: contentType ?? "no Content-Type header")
            }
        }
    }

    /// Reads `body` against `schema`: matched by name (reordered as needed; the schema's label, id
    /// and ignored columns are used where present), every cell checked as `imdad score` checks it.
    public static func read(_ body: [UInt8], format: BodyFormat, schema: TableSchema,
                            options: RowReadOptions) throws(ServeError) -> TabularFile {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw ServeError(status: 400, kind: "empty", message: "\(source): expected rows, found an empty body",
                             expected: format == .json ? "a JSON object {\"rows\": [{…}, …]}" : "a CSV header row and data rows",
                             found: "an empty body")
        }
        var read = TabularReadOptions(idColumns: options.idColumns, ignoredColumns: options.ignoredColumns, schema: schema)
        let file: TabularFile
        do {
            switch format {
            case .csv:
                read.hasHeader = options.csvHeader
                if options.csvHeader == true { read.schema?.hasHeader = true }  // named columns, even for a model without names
                file = try TabularData.readCSV(body, file: source, options: read)
            case .json:
                // JSON keys are names: matched by name even when the model was trained without them (c0, c1, …).
                read.hasHeader = true
                read.schema?.hasHeader = true
                let csv = try csvText(json: body, schema: schema, maxRows: options.maxRows)
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
        ServeError(status: 413, kind: "tooManyRows",
                   message: "\(source): expected at most \(max) rows per request, found \(rows)",
                   expected: "at most \(max) rows", found: "\(rows)", hint: "split the rows over several requests")
    }

    /// A JSON cell: a number, text, true/false or null.
    enum Cell: Decodable {
        case number(Double), text(String), bool(Bool), null

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .text(s) }
            else {
                throw DecodingError.typeMismatch(Cell.self, .init(codingPath: decoder.codingPath,
                                                                  debugDescription: "expected a number, text or null, found an object or array"))
            }
        }
    }

    /// `{"rows": [{…}, …]}` or `[{…}, …]`.
    struct Body: Decodable {
        var rows: [[String: Cell]]
        enum CodingKeys: String, CodingKey { case rows }

        init(from decoder: any Decoder) throws {
            if var list = try? decoder.unkeyedContainer() {
                var rows: [[String: Cell]] = []
                while !list.isAtEnd { rows.append(try list.decode([String: Cell].self)) }
                self.rows = rows
                return
            }
            let c = try decoder.container(keyedBy: AnyKey.self)
            if let extra = c.allKeys.first(where: { $0.stringValue != "rows" }) {
                throw DecodingError.dataCorrupted(.init(codingPath: [extra], debugDescription:
                    "unexpected key '\(extra.stringValue)' beside \"rows\" (rows go inside \"rows\": [{…}, …])"))
            }
            guard let key = c.allKeys.first else {
                throw DecodingError.keyNotFound(AnyKey(stringValue: "rows"), .init(codingPath: [], debugDescription: "no \"rows\" key"))
            }
            rows = try c.decode([[String: Cell]].self, forKey: key)
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
    }

    /// The JSON rows as CSV text: the header is the first row's keys (the schema's features first, in
    /// its order); numbers as they are, text quoted (so that text is never read as a number), null as an
    /// empty cell. Every row must have the first row's keys.
    static func csvText(json body: [UInt8], schema: TableSchema, maxRows: Int) throws -> [UInt8] {
        let rows: [[String: Cell]]
        do { rows = try JSONDecoder().decode(Body.self, from: Data(body)).rows } catch let e as DecodingError {
            throw ServeError(status: 400, kind: "malformedJSON", message: "\(source): \(describe(e))",
                             expected: "a JSON object {\"rows\": [{\"column\": value, …}, …]} or an array of such objects",
                             found: describe(e))
        }
        guard let first = rows.first else {
            throw ServeError(status: 400, kind: "empty", message: "\(source): expected at least one row, found none",
                             expected: "at least one row", found: "none")
        }
        if rows.count > maxRows { throw tooManyRows(rows.count, max: maxRows) }
        let order = Dictionary(schema.featureNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let header = first.keys.sorted { (order[$0] ?? Int.max, $0) < (order[$1] ?? Int.max, $1) }
        var text = header.map(csvField).joined(separator: ",") + "\n"
        text.reserveCapacity(rows.count * (header.count * 12 + 1))
        for (i, row) in rows.enumerated() {
            if row.count != header.count || !header.allSatisfy({ row[$0] != nil }) {
                let missing = header.filter { row[$0] == nil }, extra = row.keys.filter { first[$0] == nil }.sorted()
                throw ServeError(DataError(.raggedRow, file: source, position: "row \(i + 1)",
                                           expected: "the keys of row 1", found: SchemaDifference(missing: missing, unexpected: extra).description,
                                           hint: "give every row the same keys"))
            }
            for (k, name) in header.enumerated() {
                if k > 0 { text += "," }
                switch row[name] ?? .null {
                case .number(let v): text += "\(v)"
                case .text(let s): text += "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                case .bool(let b): text += b ? "\"true\"" : "\"false\""
                case .null: break
                }
            }
            text += "\n"
        }
        return Array(text.utf8)
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ p: [any CodingKey]) -> String {
            let s = p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return s.isEmpty ? "the top level" : String(s.drop { $0 == "." })
        }
        switch e {
        case .dataCorrupted(let c):
            let inner = (c.underlyingError.map { "\($0)" } ?? "")
            return "at \(path(c.codingPath)): \(c.debugDescription)" + (inner.isEmpty ? "" : " (\(inner))")
        case .keyNotFound(let k, let c): return "at \(path(c.codingPath)): missing key '\(k.stringValue)'"
        case .typeMismatch(_, let c): return "at \(path(c.codingPath)): \(c.debugDescription)"
        case .valueNotFound(_, let c): return "at \(path(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
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
        let words = [("(hasHeader: false)", "(?header=false)"), ("idColumns", "?id_column=NAME"), ("ignoredColumns", "?ignore_column=NAME")]
        e.hint = e.hint.map { words.reduce($0) { $0.replacingOccurrences(of: $1.0, with: $1.1) } }
        if e.kind == .schemaMismatch {
            e.hint = (e.hint.map { $0 + "; " } ?? "") + "columns that are not features can be named with ?id_column=NAME or ?ignore_column=NAME"
        }
        return e
    }
}
