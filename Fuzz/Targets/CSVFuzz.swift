// libFuzzer target `csv`: the whole-file parser (with and without a label column), the generic
// record splitter, the streaming CSVChunkReader checked against the whole-file parser, and the
// reading paths of issue 23: `TabularData.readCSV(_:options:)` with reading options derived from
// the input (label column and mapping, id and ignored columns, header or not, skipping bad rows),
// with and without a `TableSchema` (names, order and count random or taken from the file's own
// header with perturbations), each checked against `CSVChunkReader(url:options:chunkRows:)`.
//
// Input layout: `<CSV bytes>` or `<CSV bytes> NUL <control bytes>`. The first CSV byte picks the
// chunk size and the legacy label column (as before, so the older corpus keeps its meaning); the
// control bytes after the first NUL pick the options and the schema (all zero when absent).
import Foundation
import IMDADData

private let scratch = URL(fileURLWithPath: "/dev/shm").appendingPathComponent("imdad-fuzz-\(getpid()).csv")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    let cut = input.firstIndex(of: 0)
    let bytes = cut.map { Array(input[..<$0]) } ?? input
    let control = cut.map { Array(input[($0 + 1)...]) } ?? []
    // The first byte picks the chunk size (1...8 rows) and whether "y" is the label column.
    let chunkRows = 1 + Int((bytes.first ?? 0) & 7)
    let label: String? = (bytes.first ?? 0) & 8 != 0 ? "y" : nil
    expectOnly({ $0 is DataError }) { _ = try CSVReader.records(bytes, delimiter: ";") }
    guard FileManager.default.createFile(atPath: scratch.path, contents: Data(bytes)) else { finding("cannot write \(scratch.path)") }
    legacyChecks(bytes, chunkRows: chunkRows, label: label)

    // Reading options and schemas (issue 23).
    var c = Control(control)
    let names = candidateNames(bytes)
    let training = c.options(names: names)
    let plain = readBoth(bytes, training, chunkRows: chunkRows, what: "training options")
    // A schema: the file's own (from the training read), or random names, perturbed.
    var schema: TableSchema
    if let t = plain, c.bit(0) {
        schema = t.schema
        if c.bit(1) { schema.featureNames = c.shuffled(schema.featureNames) }
    } else {
        schema = TableSchema(featureNames: c.names(from: names, extra: c.byte() % 4), hasHeader: !c.bit(2))
        if c.bit(3) { schema.labelColumn = c.pick(names + ["y"]) }
        if c.bit(4) { schema.labelMapping = c.mapping() }
        schema.idColumns = c.subset(names, mask: c.byte() & c.byte())
        schema.ignoredColumns = c.subset(names, mask: c.byte() & c.byte())
    }
    let perturb = c.byte() % 8
    switch perturb {
    case 1 where !schema.featureNames.isEmpty: schema.featureNames.remove(at: c.index(schema.featureNames.count))
    case 2: schema.featureNames.insert(c.pick(names + ["extra", "c0", "y"]), at: c.index(schema.featureNames.count + 1))
    case 3 where !schema.featureNames.isEmpty: schema.featureNames[c.index(schema.featureNames.count)] += "_renamed"
    case 4: schema.hasHeader.toggle()
    default: break
    }
    // Scoring options: the schema, plus (sometimes) further columns named for this file.
    var scoring = TabularReadOptions(schema: schema)
    scoring.skipBadRows = training.skipBadRows
    if c.bit(5) { scoring.labelColumn = training.labelColumn }
    if c.bit(6) { scoring.labelMapping = training.labelMapping }
    if c.bit(7) { scoring.idColumns = training.idColumns; scoring.ignoredColumns = training.ignoredColumns }
    if c.bit(0) { scoring.hasHeader = training.hasHeader }
    let scored = readBoth(bytes, scoring, chunkRows: chunkRows, what: "a schema")
    if let s = scored { checkAgainstReference(bytes, s, scoring) }
    // The file's own schema, unchanged but for the order of its features: the file must read.
    if plain != nil, c.bit(0), perturb == 0, scoring.labelMapping == nil || scoring.labelMapping == schema.labelMapping,
       scored == nil {
        finding("the training file does not read against its own schema \(schema)")
    }
    return 0
}

// MARK: - the original checks (TabularData.parseCSV and the legacy CSVChunkReader)

func legacyChecks(_ bytes: [UInt8], chunkRows: Int, label: String?) {
    var whole: TabularData?
    var wholeError: DataError?
    expectOnly({ $0 is DataError }) {
        do { whole = try TabularData.parseCSV(bytes, file: "fuzz.csv", labelColumn: label) } catch let e as DataError { wholeError = e }
    }
    if let t = whole {
        guard t.features.count == t.rows * t.columns, t.rows > 0, t.columns > 0 else { finding("bad table shape") }
        guard t.features.allSatisfy(\.isFinite), t.labels?.allSatisfy({ $0 == 0 || $0 == 1 }) ?? true else { finding("bad values") }
    }
    // Streaming must agree with the whole-file parser.
    var features: [Double] = [], labels: [Int] = [], rows = 0
    var streamError: Error?
    do {
        let reader = try CSVChunkReader(url: scratch, chunkRows: chunkRows, labelColumn: label)
        while let c = try reader.next() {
            guard c.firstRow == rows, c.rows <= chunkRows, c.features.count == c.rows * c.columns else { finding("bad chunk") }
            features += c.features; labels += c.labels ?? []; rows += c.rows
        }
    } catch {
        guard error is DataError else { finding("unexpected error type \(type(of: error)): \(error)") }
        streamError = error
    }
    if let t = whole {
        guard streamError == nil, rows == t.rows, sameBits(features, t.features), labels == (t.labels ?? []) else {
            finding("stream and whole-file parse differ: \(String(describing: streamError)) rows \(rows) vs \(t.rows)")
        }
    } else if let e = wholeError, e.kind != .empty, streamError == nil {
        finding("whole-file parse failed (\(e)) but the stream did not")
    }
}

// MARK: - reading with options, whole file and streamed

/// What one reader produced.
struct Read {
    var rows = 0
    var features: [Double] = []
    var featureNames: [String] = []
    var labels: [Int]?
    var ids: [[String]]?
    var rowNumbers: [Int] = []
    var skipped: [DataError] = []
}

/// Reads `bytes` with `options` whole and streamed; both must fail, or give the same table.
/// Returns the whole-file result.
func readBoth(_ bytes: [UInt8], _ options: TabularReadOptions, chunkRows: Int, what: String) -> TabularFile? {
    var whole: TabularFile?
    var wholeError: DataError?
    do { whole = try TabularData.readCSV(bytes, file: "fuzz.csv", options: options) } catch let e as DataError {
        wholeError = e
    } catch { finding("unexpected error type \(type(of: error)) reading with \(what): \(error)") }

    var s = Read()
    var streamError: DataError?
    var streamed = false
    do {
        let reader = try CSVChunkReader(url: scratch, options: options, chunkRows: chunkRows)
        s.featureNames = reader.featureNames
        var labeled: Bool?
        while let c = try reader.next() {
            guard c.rows >= 1, c.rows <= chunkRows, c.columns == reader.featureNames.count, c.features.count == c.rows * c.columns,
                  c.rowNumbers.count == c.rows, c.labels.map({ $0.count == c.rows }) ?? true,
                  c.ids.map({ $0.count == c.rows && $0.allSatisfy { $0.count == reader.idColumns.count } }) ?? reader.idColumns.isEmpty
            else { finding("bad chunk with \(what): \(c)") }
            if labeled == nil { labeled = c.labels != nil } else if labeled != (c.labels != nil) { finding("labels in some chunks only") }
            s.rows += c.rows; s.features += c.features; s.rowNumbers += c.rowNumbers
            if let l = c.labels { s.labels = (s.labels ?? []) + l }
            if let i = c.ids { s.ids = (s.ids ?? []) + i }
        }
        s.skipped = reader.skipped
        streamed = true
    } catch let e as DataError {
        streamError = e
    } catch { finding("unexpected error type \(type(of: error)) streaming with \(what): \(error)") }

    guard let t = whole else {
        // The whole-file reader also refuses a file without data rows or feature columns, which
        // the stream reports as no chunks.
        if streamed, wholeError?.kind != .empty {
            finding("with \(what) the whole-file read failed (\(wholeError!)) but the stream did not")
        }
        return nil
    }
    let d = t.data
    guard d.rows > 0, d.columns > 0, d.features.count == d.rows * d.columns, d.features.allSatisfy(\.isFinite),
          d.labels?.allSatisfy({ $0 == 0 || $0 == 1 }) ?? true, d.labels.map({ $0.count == d.rows }) ?? true,
          d.featureNames.count == d.columns, t.rowNumbers.count == d.rows, t.rowNumbers.first ?? 1 >= 1,
          zip(t.rowNumbers, t.rowNumbers.dropFirst()).allSatisfy({ $0 < $1 }), t.rowNumbers.last! <= d.rows + t.skipped.count,
          t.skipped.isEmpty ? t.rowNumbers == Array(1...d.rows) : options.skipBadRows,
          d.ids.map({ $0.count == d.rows && $0.allSatisfy { $0.count == d.idColumns.count } }) ?? d.idColumns.isEmpty
    else { finding("bad table read with \(what)") }
    if let schema = options.schema, let plan = t.plan, !plan.byCount, plan.featureNames != schema.featureNames {
        finding("features not in the schema's order: \(plan.featureNames) vs \(schema.featureNames)")
    }
    guard streamed else { finding("with \(what) the stream failed (\(streamError!)) but the whole-file read did not") }
    guard s.rows == d.rows, sameBits(s.features, d.features), s.featureNames == d.featureNames,
          s.labels == d.labels, s.ids == d.ids, s.rowNumbers == t.rowNumbers,
          s.skipped.map(withoutFile) == t.skipped.map(withoutFile)
    else {
        finding("with \(what) stream and whole file differ: rows \(s.rows) vs \(d.rows), labels \(String(describing: s.labels)) vs \(String(describing: d.labels)), "
                + "row numbers \(s.rowNumbers) vs \(t.rowNumbers), skipped \(s.skipped.count) vs \(t.skipped.count), ids \(String(describing: s.ids)) vs \(String(describing: d.ids))")
    }
    return t
}

/// The error as another file would report it (the stream reads a scratch file).
func withoutFile(_ e: DataError) -> DataError {
    var e = e
    e.file = nil
    return e
}

/// A read against a schema must give what a read without one gives, with the same columns in
/// their roles, features reordered by name into the schema's order (by count: in file order).
func checkAgainstReference(_ bytes: [UInt8], _ s: TabularFile, _ options: TabularReadOptions) {
    guard let plan = s.plan else { finding("no plan") }
    var r = TabularReadOptions(labelColumn: plan.labelColumn.map { plan.header[$0] },
                               labelMapping: options.effectiveLabelMapping, idColumns: plan.idNames,
                               ignoredColumns: plan.ignoredColumns.map { plan.header[$0] },
                               hasHeader: options.effectiveHasHeader)
    r.skipBadRows = options.skipBadRows
    let ref: TabularFile
    do { ref = try TabularData.readCSV(bytes, file: "fuzz.csv", options: r) } catch {
        finding("read with the schema (plan \(plan)) but not without it, the same columns in the same roles: \(error)")
    }
    let a = s.data, b = ref.data
    guard a.rows == b.rows, a.labels == b.labels, a.ids == b.ids, a.idColumns == b.idColumns,
          s.rowNumbers == ref.rowNumbers, s.skipped.count == ref.skipped.count else {
        finding("with and without the schema differ: rows \(a.rows) vs \(b.rows), labels, ids or row numbers")
    }
    let order: [Int]
    if plan.byCount {
        guard a.columns == b.columns else { finding("by count: \(a.columns) features vs \(b.columns)") }
        order = Array(0..<b.columns)
    } else {
        let at = Dictionary(b.featureNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { x, _ in x })
        guard a.columns == b.columns, Set(a.featureNames) == Set(b.featureNames), Set(a.featureNames).count == a.columns else {
            finding("the schema's features \(a.featureNames) are not the file's feature columns \(b.featureNames) (plan \(plan))")
        }
        order = a.featureNames.map { at[$0]! }
    }
    for i in 0..<a.rows {
        for (k, j) in order.enumerated() where a.features[i * a.columns + k].bitPattern != b.features[i * b.columns + j].bitPattern {
            finding("row \(i + 1), feature '\(a.featureNames[k])': \(a.features[i * a.columns + k]) with the schema, \(b.features[i * b.columns + j]) without")
        }
    }
}

// MARK: - options from control bytes

/// Column names to draw from: the first record's fields (positional names for empty ones and
/// for a file that does not split), plus positional names.
func candidateNames(_ bytes: [UInt8]) -> [String] {
    var names: [String] = []
    if let first = try? CSVReader.records(bytes).first {
        names = first.enumerated().map { $1.isEmpty ? TableSchema.positionalName($0) : $1 }
    }
    names = Array(names.prefix(16))
    for n in TableSchema.positionalNames(count: 4) where !names.contains(n) { names.append(n) }
    return names
}

/// Reads the control bytes one at a time (zero past the end).
struct Control {
    var bytes: [UInt8]
    var pos = 0
    var flags: UInt8 = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes; flags = byte() }

    mutating func byte() -> UInt8 {
        defer { pos += 1 }
        return pos < bytes.count ? bytes[pos] : 0
    }
    func bit(_ i: Int) -> Bool { flags & (1 << i) != 0 }
    mutating func index(_ n: Int) -> Int { n <= 1 ? 0 : Int(byte()) % n }
    mutating func pick(_ xs: [String]) -> String { xs.isEmpty ? "" : xs[index(xs.count)] }
    func subset(_ xs: [String], mask: UInt8) -> [String] {
        xs.prefix(8).enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
    }
    mutating func shuffled(_ xs: [String]) -> [String] {
        var a = xs
        if a.count > 1 { for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, Int(byte()) % (i + 1)) } }
        return a
    }
    /// Up to 8 names drawn from `from` (repeats possible) plus `extra` invented ones.
    mutating func names(from: [String], extra: UInt8) -> [String] {
        let n = Int(byte() % 9)
        var out = (0..<n).map { _ in pick(from) }
        for k in 0..<Int(extra) { out.insert("new\(k)", at: index(out.count + 1)) }
        return out
    }
    static let labelValues = ["1", "0", "-1", "yes", "no", "true", "false", "fraud", "a", "b", "1.0", "NA", "", " Yes", "-1e0", "2"]
    mutating func mapping() -> LabelMapping {
        let a = byte(), n = byte()
        return LabelMapping(anomalyValue: a & 16 == 0 ? nil : Control.labelValues[Int(a & 15)],
                            normalValue: n & 16 == 0 ? nil : Control.labelValues[Int(n & 15)])
    }
    /// Training options: the label column (none, one of the names, or `y`), its mapping, id and
    /// ignored columns, header or not, skipping bad rows.
    mutating func options(names: [String]) -> TabularReadOptions {
        let f = byte()
        var o = TabularReadOptions()
        switch f & 3 {
        case 1: o.labelColumn = pick(names)
        case 2: o.labelColumn = "y"
        default: break
        }
        if f & 4 != 0 { o.labelMapping = mapping() }
        o.idColumns = subset(names, mask: f & 8 != 0 ? byte() : 0)
        o.ignoredColumns = subset(names, mask: f & 16 != 0 ? byte() : 0)
        switch (f >> 5) & 3 {
        case 1: o.hasHeader = true
        case 2: o.hasHeader = false
        default: break
        }
        o.skipBadRows = f & 128 != 0
        return o
    }
}
