import Foundation

/// Low-level RFC 4180 machinery shared by the whole-file loader and `CSVChunkReader`.
///
/// Works on raw UTF-8 bytes: records end at `\n` (a preceding `\r` is dropped) outside
/// quotes; a field that starts with `"` is quoted and may contain delimiters, newlines and
/// doubled quotes `""`. Blank lines are skipped.
enum CSVCore {
    static let quote = UInt8(ascii: "\"")
    static let newline = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    /// Upper bound for one record (guards against an unterminated quote swallowing a huge file).
    static let maxRecordBytes = 64 << 20

    /// Validates a user-supplied delimiter.
    static func delimiterByte(_ d: Character, file: String?) throws -> UInt8 {
        guard let b = d.asciiValue, b != quote, b != newline, b != cr else {
            throw DataError(.syntax, file: file, position: "delimiter",
                            expected: "a single ASCII character other than a quote or newline", found: quoted(String(d)))
        }
        return b
    }

    struct Record {
        /// Byte range of the record content (line terminator excluded).
        var start: Int
        var end: Int
        /// Index where the next record starts.
        var next: Int
        /// Newlines inside the record (quoted newlines) plus the terminator: lines consumed.
        var lines: Int
    }

    /// Finds the record starting at `start`. Returns nil when the buffer ends before the
    /// record does and `isFinal` is false (more input needed). With `isFinal`, the rest of
    /// the buffer is the last record. Throws on an unterminated quote at the end of input.
    ///
    /// A quote opens a quoted field only at the start of a field (after optional blanks);
    /// inside one, `""` is an escaped quote. Stray quotes elsewhere are left for
    /// `forEachField` to report.
    static func nextRecord(_ buf: UnsafeRawBufferPointer, from start: Int, isFinal: Bool, delimiter: UInt8,
                           file: String?, line: Int) throws -> Record? {
        let n = buf.count
        guard start < n, let base = buf.baseAddress else { return nil }
        var i = start
        var inQuotes = false
        var atFieldStart = true
        var lines = 0
        while i < n {
            let p = base.advanced(by: i)
            let nlPtr = memchr(p, Int32(newline), n - i)
            let segEnd = nlPtr.map { base.distance(to: UnsafeRawPointer($0)) } ?? n
            // Fast path: no quote state and no quote before the newline.
            if !inQuotes, memchr(p, Int32(quote), segEnd - i) == nil {
                if segEnd == n {
                    guard isFinal else { return nil }
                    return Record(start: start, end: trimCR(buf, start, n), next: n, lines: lines + 1)
                }
                return Record(start: start, end: trimCR(buf, start, segEnd), next: segEnd + 1, lines: lines + 1)
            }
            // Slow path: quote-aware scan up to the newline.
            while i < segEnd {
                let c = buf[i]
                if inQuotes {
                    if c == quote {
                        if i + 1 < n, buf[i + 1] == quote { i += 2; continue }
                        inQuotes = false
                        atFieldStart = false
                    }
                } else if c == quote {
                    if atFieldStart { inQuotes = true }
                    atFieldStart = false
                } else if c == delimiter {
                    atFieldStart = true
                } else if c != 0x20, c != 0x09 {
                    atFieldStart = false
                }
                i += 1
            }
            if segEnd == n { break }
            if !inQuotes {
                return Record(start: start, end: trimCR(buf, start, segEnd), next: segEnd + 1, lines: lines + 1)
            }
            lines += 1
            i = segEnd + 1
        }
        guard isFinal else { return nil }
        if inQuotes {
            throw DataError(.syntax, file: file, position: "line \(line)",
                            expected: "a closing quote for the quoted field that starts on this line",
                            found: "end of file")
        }
        return Record(start: start, end: trimCR(buf, start, n), next: n, lines: lines + 1)
    }

    @inline(__always)
    static func trimCR(_ buf: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int {
        end > start && buf[end - 1] == cr ? end - 1 : end
    }

    /// Splits one record into fields, calling `body(index, contentBytes, hasEscapedQuotes)`.
    /// Quoted fields are passed without their surrounding quotes (doubled quotes intact,
    /// flagged by `hasEscapedQuotes`). Returns the field count. Throws a `.syntax` error
    /// (position filled by `where`) on a stray quote.
    @inline(__always)
    static func forEachField(_ rec: UnsafeRawBufferPointer, delimiter: UInt8, file: String?, where: () -> String,
                             _ body: (Int, UnsafeRawBufferPointer, Bool) throws -> Void) throws -> Int {
        let n = rec.count
        var i = 0
        var index = 0
        while true {
            // skip leading spaces before a quote? RFC says no; tolerate spaces only before quotes.
            var j = i
            while j < n, rec[j] == 0x20 || rec[j] == 0x09 { j += 1 }
            if j < n, rec[j] == quote {
                var k = j + 1
                var escaped = false
                var closed = false
                while k < n {
                    if rec[k] == quote {
                        if k + 1 < n, rec[k + 1] == quote { escaped = true; k += 2; continue }
                        closed = true
                        break
                    }
                    k += 1
                }
                guard closed else {
                    throw DataError(.syntax, file: file, position: `where`() + ", field \(index + 1)",
                                    expected: "a closing quote", found: "end of row")
                }
                try body(index, UnsafeRawBufferPointer(rebasing: rec[(j + 1)..<k]), escaped)
                index += 1
                var after = k + 1
                while after < n, rec[after] == 0x20 || rec[after] == 0x09 { after += 1 }
                if after == n { return index }
                guard rec[after] == delimiter else {
                    throw DataError(.syntax, file: file, position: `where`() + ", field \(index)",
                                    expected: "a delimiter after the closing quote",
                                    found: quoted(String(decoding: [rec[after]], as: UTF8.self)))
                }
                i = after + 1
                continue
            }
            // Unquoted field: up to the next delimiter.
            var k = i
            while k < n, rec[k] != delimiter { k += 1 }
            let field = UnsafeRawBufferPointer(rebasing: rec[i..<k])
            if let fb = field.baseAddress, memchr(fb, Int32(quote), field.count) != nil {
                throw DataError(.syntax, file: file, position: `where`() + ", field \(index + 1)",
                                expected: "a quote only at the start of a field", found: quoted(bytes: field),
                                hint: "quote the whole field and double inner quotes: \"a \"\"b\"\"\"")
            }
            try body(index, field, false)
            index += 1
            if k == n { return index }
            i = k + 1
        }
    }

    /// Field text as a String (quotes unescaped, surrounding whitespace trimmed).
    static func text(_ field: UnsafeRawBufferPointer, escaped: Bool) -> String {
        var s = String(decoding: field, as: UTF8.self)
        if escaped { s = s.replacingOccurrences(of: "\"\"", with: "\"") }
        return s.trimmingCharacters(in: .whitespaces)
    }

    // MARK: numbers

    static let pow10: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    enum Cell { case number(Double), missing, invalid }

    /// Parses a numeric cell. Fast exact path for plain decimals (≤ 19 digits, |exp| ≤ 22,
    /// mantissa < 2^53: Clinger's fast path), otherwise `strtod` on a NUL-terminated copy.
    /// Empty, `NA`, `N/A`, `null`, `None`, `?` are `.missing`.
    @inline(__always)
    static func parseCell(_ field: UnsafeRawBufferPointer) -> Cell {
        var a = 0, b = field.count
        while a < b, field[a] == 0x20 || field[a] == 0x09 { a += 1 }
        while b > a, field[b - 1] == 0x20 || field[b - 1] == 0x09 { b -= 1 }
        if a == b { return .missing }
        // fast path
        var i = a
        var neg = false
        if field[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if field[i] == UInt8(ascii: "+") { i += 1 }
        var mant: UInt64 = 0
        var digits = 0
        var exp10 = 0
        var sawDigit = false
        while i < b, field[i] &- 0x30 < 10 {
            if digits < 19 { mant = mant &* 10 &+ UInt64(field[i] &- 0x30); if mant != 0 { digits += 1 } } else { exp10 += 1 }
            sawDigit = true
            i += 1
        }
        if i < b, field[i] == UInt8(ascii: ".") {
            i += 1
            while i < b, field[i] &- 0x30 < 10 {
                if digits < 19 { mant = mant &* 10 &+ UInt64(field[i] &- 0x30); if mant != 0 { digits += 1 }; exp10 -= 1 }
                sawDigit = true
                i += 1
            }
        }
        if sawDigit, i < b, field[i] | 0x20 == UInt8(ascii: "e") {
            var k = i + 1
            var eneg = false
            if k < b, field[k] == UInt8(ascii: "-") { eneg = true; k += 1 } else if k < b, field[k] == UInt8(ascii: "+") { k += 1 }
            var e = 0
            var eDigits = 0
            while k < b, field[k] &- 0x30 < 10 {
                if e < 100_000 { e = e * 10 + Int(field[k] &- 0x30) }
                eDigits += 1
                k += 1
            }
            if eDigits > 0 { exp10 += eneg ? -e : e; i = k } else { i = b + 1 } // force slow path
        }
        if sawDigit, i == b, digits < 19, mant < (1 << 53), exp10 >= -22, exp10 <= 22 {
            var v = Double(mant)
            if exp10 < 0 { v /= pow10[-exp10] } else if exp10 > 0 { v *= pow10[exp10] }
            return .number(neg ? -v : v)
        }
        // slow path
        let len = b - a
        if len <= 4 {
            var w: UInt32 = 0
            for k in a..<b { w = (w << 8) | UInt32(field[k] | (field[k] >= 0x41 && field[k] <= 0x5A ? 0x20 : 0)) }
            // "na", "n/a", "null", "none", "?"
            switch (len, w) {
            case (2, 0x6E61), (3, 0x6E2F61), (4, 0x6E75_6C6C), (4, 0x6E6F_6E65), (1, 0x3F): return .missing
            default: break
            }
        }
        guard len < 512 else { return .invalid }
        var tmp = [CChar](repeating: 0, count: len + 1)
        for k in 0..<len { tmp[k] = CChar(bitPattern: field[a + k]) }
        return tmp.withUnsafeMutableBufferPointer { t -> Cell in
            guard let p = t.baseAddress else { return .invalid }
            var endp: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(p, &endp)
            guard let e = endp, e - p == len, !(p[0] == 0x20 || p[0] == 0x09) else { return .invalid }
            // reject hexadecimal floats which strtod accepts but nobody means
            for k in 0..<len where t[k] == CChar(UInt8(ascii: "x")) || t[k] == CChar(UInt8(ascii: "X")) { return .invalid }
            return .number(v)
        }
    }
}

/// Decodes CSV data records into numeric features (in a `ColumnPlan`'s order), id texts
/// and label values, validating every cell. Shared by `TabularData` and `CSVChunkReader`.
///
/// Labels are collected as distinct values (`labelTable`, one code per row in
/// `labelCodes`); the whole-file reader maps them once all are known, the chunk reader
/// classifies each new value as it appears (`streamingLabels`).
struct CSVRowDecoder {
    enum Role { case feature(Int), label, id(Int), skip }

    let file: String?
    let delimiter: UInt8
    /// All column names, in file order.
    let header: [String]
    let plan: ColumnPlan
    let roles: [Role]
    var labelTable = LabelTable()
    /// Distinct-value index of each row's label since the last `takeLabels`.
    var labelCodes: [Int] = []
    /// Class of each distinct label value, when classified while streaming.
    var labelClasses: [Int] = []
    let streamingLabels: LabelMapping?
    /// Data rows decoded so far (the next row is `dataRow + 1`, 1-based).
    var dataRow = 0
    /// 1-based physical line where the next record starts (advanced by callers for blank lines).
    var line: Int

    var featureNames: [String] { plan.featureNames }
    var labelIndex: Int? { plan.labelColumn }

    /// Reads the column names of a header record (or, without a header, names the record's
    /// fields `c0`, `c1`, …). With `hasHeader`, a record of numbers only is refused.
    static func readHeader(_ rec: UnsafeRawBufferPointer, delimiter: UInt8, file: String?, hasHeader: Bool,
                           line: Int) throws -> [String] {
        var names: [String] = []
        var allNumbers = true
        let position = "line \(line) (header)"
        _ = try CSVCore.forEachField(rec, delimiter: delimiter, file: file, where: { position }) { i, f, esc in
            let t = CSVCore.text(f, escaped: esc)
            if esc { allNumbers = false } else if case .number = CSVCore.parseCell(f) {} else { allNumbers = false }
            names.append(hasHeader && !t.isEmpty ? t : TableSchema.positionalName(i))
        }
        if hasHeader, allNumbers {
            let shown = names.prefix(5).joined(separator: ",") + (names.count > 5 ? ",…" : "")
            throw DataError(.headerLooksLikeData, file: file, position: position,
                            expected: "column names in the first line", found: quoted(shown),
                            hint: "the first line looks like data, not column names; read it without a header row "
                                + "(hasHeader: false), its columns are then named c0, c1, …")
        }
        return names
    }

    /// The plan of the original API: the label column by name, every other column a feature.
    static func legacyPlan(header: [String], labelColumn: String?, file: String?, line: Int) throws -> ColumnPlan {
        var label: Int?
        if let labelColumn {
            let matches = header.indices.filter { header[$0] == labelColumn }
            guard let idx = matches.first else {
                throw DataError(.missingColumn, file: file, position: "header (line \(line))",
                                expected: "a label column named '\(labelColumn)'",
                                found: "columns " + header.map { "'\($0)'" }.joined(separator: ", "))
            }
            guard matches.count == 1 else {
                throw DataError(.missingColumn, file: file, position: "header (line \(line))",
                                expected: "exactly one column named '\(labelColumn)'", found: "\(matches.count) of them")
            }
            label = idx
        }
        let features = header.indices.filter { $0 != label }
        return ColumnPlan(header: header, featureColumns: features, featureNames: features.map { header[$0] },
                          labelColumn: label, idColumns: [], idNames: [], ignoredColumns: [], byCount: false)
    }

    init(plan: ColumnPlan, delimiter: UInt8, file: String?, firstLine: Int, streamingLabels: LabelMapping? = nil) {
        self.file = file
        self.delimiter = delimiter
        self.header = plan.header
        self.plan = plan
        var roles = [Role](repeating: .skip, count: plan.header.count)
        for (k, c) in plan.featureColumns.enumerated() { roles[c] = .feature(k) }
        for (k, c) in plan.idColumns.enumerated() { roles[c] = .id(k) }
        if let l = plan.labelColumn { roles[l] = .label }
        self.roles = roles
        self.line = firstLine
        self.streamingLabels = streamingLabels
    }

    func position(_ row: Int, _ line: Int, column: Int? = nil) -> String {
        var s = "row \(row) (line \(line))"
        if let column, column < header.count { s += ", column '\(header[column])'" }
        return s
    }

    /// Decodes one data record, appending its features (and ids, when the plan has id columns).
    /// When set, a row whose fields are wrong (ragged, non-numeric, missing, non-finite, a label
    /// the mapping refuses while labels are classified row by row) is left out and its error kept
    /// in ``skipped``; the row keeps its number, so later rows are numbered as in the file, and
    /// its label is not recorded.
    var skipBadRows = false
    /// The errors of the rows left out under ``skipBadRows``.
    var skipped: [DataError] = []

    /// ``decode(_:lines:features:ids:)``, leaving a bad row out under ``skipBadRows``.
    mutating func decodeOrSkip(_ rec: UnsafeRawBufferPointer, lines: Int,
                               features: inout [Double], ids: inout [[String]]) throws -> Bool {
        let before = features.count, idsBefore = ids.count
        do {
            try decode(rec, lines: lines, features: &features, ids: &ids)
            return true
        } catch let e as DataError where skipBadRows && [.raggedRow, .nonNumeric, .missingValue, .nonFinite, .badLabel].contains(e.kind) {
            features.removeSubrange(before...)
            ids.removeSubrange(idsBefore...)
            skipped.append(e)
            dataRow += 1
            line += lines
            return false
        }
    }

    mutating func decode(_ rec: UnsafeRawBufferPointer, lines: Int,
                         features: inout [Double], ids: inout [[String]]) throws {
        let row = dataRow + 1
        let ln = line
        let expected = header.count
        let before = features.count
        let nf = plan.featureColumns.count
        features.append(contentsOf: repeatElement(0, count: nf))
        var rowIDs = [String](repeating: "", count: plan.idColumns.count)
        // The label cell, recorded in `labelTable` only once the whole row is valid (a row left
        // out under `skipBadRows` must not add its value): a one-byte cell, or the trimmed text.
        var labelByte: UInt8?
        var labelText: String?
        let file = self.file
        let roles = self.roles
        let me = self
        let count = try CSVCore.forEachField(rec, delimiter: delimiter, file: file, where: { me.position(row, ln) }) { j, f, esc in
            guard j < expected else {
                throw DataError(.raggedRow, file: file, position: me.position(row, ln),
                                expected: "\(expected) fields (as in the header)", found: "more than \(expected) fields")
            }
            switch roles[j] {
            case .skip:
                return
            case .id(let k):
                rowIDs[k] = CSVCore.text(f, escaped: esc)
                return
            case .label:
                if !esc, f.count == 1, f[0] == UInt8(ascii: "0") || f[0] == UInt8(ascii: "1") { labelByte = f[0]; return }
                let t = CSVCore.text(f, escaped: esc)
                if case .missing = LabelTable.cell(t) {
                    throw DataError(.missingValue, file: file, position: me.position(row, ln, column: j),
                                    expected: "a label", found: t.isEmpty ? "an empty cell" : quoted(t))
                }
                labelText = t
                return
            case .feature(let k):
                let cell: CSVCore.Cell = esc ? .invalid : CSVCore.parseCell(f)
                switch cell {
                case .number(let v):
                    guard v.isFinite else {
                        throw DataError(.nonFinite, file: file, position: me.position(row, ln, column: j),
                                        expected: "a finite number", found: quoted(bytes: f),
                                        hint: "impute or drop rows with NaN / infinite values")
                    }
                    features[before + k] = v
                case .missing:
                    throw DataError(.missingValue, file: file, position: me.position(row, ln, column: j),
                                    expected: "a number", found: f.isEmpty ? "an empty cell" : quoted(bytes: f),
                                    hint: "impute or drop rows with missing values")
                case .invalid:
                    throw DataError(.nonNumeric, file: file, position: me.position(row, ln, column: j),
                                    expected: "a number", found: quoted(CSVCore.text(f, escaped: esc)),
                                    hint: "drop or numerically encode non-numeric columns")
                }
            }
        }
        guard count == expected else {
            features.removeSubrange(before...)
            throw DataError(.raggedRow, file: file, position: position(row, ln),
                            expected: "\(expected) fields (as in the header)", found: "\(count) fields")
        }
        if labelByte != nil || labelText != nil {
            var r: (index: Int, isNew: Bool)
            if let b = labelByte, let i = labelTable.addFast(byte: b) {
                r = (i, false)
            } else {
                let t = labelText ?? String(decoding: [labelByte!], as: UTF8.self)
                r = labelTable.add(t, row: row, line: ln)
            }
            if let mapping = streamingLabels {
                let column = header[plan.labelColumn!]
                if r.isNew {
                    do {
                        labelClasses.append(try mapping.classifyStreaming(labelTable, index: r.index, classes: labelClasses,
                                                                          file: file, column: column))
                    } catch {
                        labelClasses.append(-1) // refused: so are its later rows
                        throw error
                    }
                } else if labelClasses[r.index] < 0 {
                    throw mapping.refusedValueError(labelTable, index: r.index, file: file,
                                                    position: position(row, ln, column: plan.labelColumn!))
                }
            }
            labelCodes.append(r.index)
        }
        if !rowIDs.isEmpty { ids.append(rowIDs) }
        dataRow = row
        line += lines
    }

    /// Labels of the rows decoded since the last call, classified while streaming.
    mutating func takeStreamedLabels() -> [Int] {
        defer { labelCodes.removeAll(keepingCapacity: true) }
        return labelCodes.map { labelClasses[$0] }
    }

    /// Labels of all rows, mapped once every value is known.
    func resolvedLabels(_ mapping: LabelMapping) throws -> (labels: [Int], mapping: LabelMapping) {
        let column = plan.labelColumn.map { header[$0] }
        let classes = try mapping.resolve(labelTable, file: file, column: column)
        return (labelCodes.map { classes[$0] }, mapping.resolvedMapping(labelTable, classes: classes))
    }
}

/// General-purpose CSV access for text tables.
public enum CSVReader {
    /// Splits CSV bytes into records of unescaped, whitespace-trimmed strings (RFC 4180;
    /// blank lines skipped). Intended for small files; use `TabularData` / `CSVChunkReader`
    /// for numeric data.
    public static func records(_ bytes: [UInt8], delimiter: Character = ",", file: String? = nil) throws -> [[String]] {
        let d = try CSVCore.delimiterByte(delimiter, file: file)
        return try bytes.withUnsafeBytes { buf in
            var out: [[String]] = []
            var pos = hasBOM(buf) ? 3 : 0
            var line = 1
            while let r = try CSVCore.nextRecord(buf, from: pos, isFinal: true, delimiter: d, file: file, line: line) {
                let rec = UnsafeRawBufferPointer(rebasing: buf[r.start..<r.end])
                if !rec.isEmpty {
                    var fields: [String] = []
                    let l = line
                    _ = try CSVCore.forEachField(rec, delimiter: d, file: file, where: { "line \(l)" }) { _, f, esc in
                        fields.append(CSVCore.text(f, escaped: esc))
                    }
                    out.append(fields)
                }
                line += r.lines
                pos = r.next
            }
            return out
        }
    }

    static func hasBOM(_ buf: UnsafeRawBufferPointer) -> Bool {
        buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF
    }
}
