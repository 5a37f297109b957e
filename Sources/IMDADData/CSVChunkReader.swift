import Foundation

/// A block of consecutive CSV data rows decoded by `CSVChunkReader`.
public struct CSVChunk: Equatable, Sendable {
    /// 0-based index (among data rows) of the first row in this chunk.
    public var firstRow: Int
    /// Each row's number: its 1-based place among the file's data rows (as errors name rows);
    /// consecutive unless bad rows were left out (``TabularReadOptions/skipBadRows``).
    public var rowNumbers: [Int] = []
    public var rows: Int
    public var columns: Int
    /// Row-major features, `rows * columns` values.
    public var features: [Double]
    /// 0/1 labels when a label column was chosen.
    public var labels: [Int]?
    /// Each row's id texts (`ids[row][k]` for the reader's `idColumns[k]`); nil without id columns.
    public var ids: [[String]]? = nil
}

/// Streams a numeric CSV file in chunks of at most `chunkRows` rows without loading the
/// whole file: memory is bounded by one chunk plus a read buffer (1 MiB, growing only for
/// records longer than that, capped at 64 MiB per record).
///
///     let reader = try CSVChunkReader(url: url, chunkRows: 50_000)
///     while let chunk = try reader.next() { score(chunk.features, rows: chunk.rows) }
///
/// Validation and error messages are the same as for `TabularData.load`.
public final class CSVChunkReader {
    /// All column names, in file order (including the label column).
    public let header: [String]
    /// Feature column names, in the order of the chunks' features (the schema's order when
    /// reading against a schema; else the header minus the label column, in file order).
    public let featureNames: [String]
    /// Which file column feeds which feature, label and id.
    public let plan: ColumnPlan
    /// The id columns carried in `CSVChunk.ids`.
    public var idColumns: [String] { plan.idNames }
    public let chunkRows: Int
    public let file: String

    private var source: Source
    private var decoder: CSVRowDecoder

    /// Buffered file bytes; `buffer[pos...]` is not yet consumed.
    struct Source {
        let handle: FileHandle
        let file: String
        let delimiter: UInt8
        var buffer: [UInt8] = []
        var pos = 0
        var eof = false
        static let blockSize = 1 << 20

        mutating func refill(line: Int) throws {
            let pending = buffer.count - pos
            guard pending <= CSVCore.maxRecordBytes else {
                throw DataError(.tooLarge, file: file, position: "line \(line)",
                                expected: "a record shorter than \(CSVCore.maxRecordBytes >> 20) MiB",
                                found: "a longer one", hint: "check for an unterminated quote")
            }
            if pos > 0 { buffer.removeSubrange(0..<pos); pos = 0 }
            let want = Swift.max(Source.blockSize, pending)
            let data: Data?
            do { data = try handle.read(upToCount: want) } catch {
                throw DataError(.io, file: file, position: "line \(line)", expected: "readable data",
                                found: error.localizedDescription)
            }
            if let data, !data.isEmpty { buffer.append(contentsOf: data) } else { eof = true }
        }

        /// The next record (blank ones included), refilling as needed; nil at end of file.
        mutating func nextRecord(line: Int) throws -> CSVCore.Record? {
            while true {
                let (p, e, f, d) = (pos, eof, file, delimiter)
                let r = try buffer.withUnsafeBytes {
                    try CSVCore.nextRecord($0, from: p, isFinal: e, delimiter: d, file: f, line: line)
                }
                if let r { return r }
                if eof { return nil }
                try refill(line: line)
            }
        }
    }

    /// Opens `url` and reads its header row.
    /// - Parameters:
    ///   - labelColumn: name of a 0/1 label column to split off, or nil.
    ///   - hasHeader: when false, columns are named `c0`, `c1`, ...; when true, a first line
    ///     of numbers only is refused (`.headerLooksLikeData`).
    public convenience init(url: URL, delimiter: Character = ",", chunkRows: Int = 65_536,
                            labelColumn: String? = nil, hasHeader: Bool = true) throws {
        try self.init(url: url, delimiter: delimiter, chunkRows: chunkRows, hasHeader: hasHeader, mapping: .zeroOne) {
            header, line, file in
            try CSVRowDecoder.legacyPlan(header: header, labelColumn: labelColumn, file: file, line: line)
        }
    }

    /// Opens `url` and matches its header to `options` as `TabularData.read(url:options:)`
    /// does: against `options.schema` by name (reordered to the schema's order), or as a
    /// training file without one. Labels are mapped as they stream by: a value the mapping
    /// does not allow is refused at the row where it first appears.
    public convenience init(url: URL, options: TabularReadOptions, chunkRows: Int = 65_536) throws {
        var delimiter = options.delimiter ?? ","
        if options.delimiter == nil, url.pathExtension.lowercased() == "tsv" { delimiter = "\t" }
        try self.init(url: url, delimiter: delimiter, chunkRows: chunkRows, hasHeader: options.effectiveHasHeader,
                      mapping: options.effectiveLabelMapping) { header, _, file in
            try options.plan(header: header, file: file)
        }
        decoder.skipBadRows = options.skipBadRows
    }

    /// The errors of the rows left out so far (``TabularReadOptions/skipBadRows``).
    public var skipped: [DataError] { decoder.skipped }

    init(url: URL, delimiter: Character, chunkRows: Int, hasHeader: Bool, mapping: LabelMapping,
         makePlan: ([String], Int, String) throws -> ColumnPlan) throws {
        let name = url.lastPathComponent
        let d = try CSVCore.delimiterByte(delimiter, file: name)
        try mapping.validate(file: name)
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw DataError(.io, file: name, position: "file", expected: "a readable file", found: error.localizedDescription)
        }
        var src = Source(handle: handle, file: name, delimiter: d)
        try src.refill(line: 1)
        if src.buffer.count >= 3, src.buffer[0] == 0xEF, src.buffer[1] == 0xBB, src.buffer[2] == 0xBF { src.pos = 3 }
        var skipped = 0
        var headerRecord: CSVCore.Record?
        while headerRecord == nil, let r = try src.nextRecord(line: 1 + skipped) {
            if r.end > r.start { headerRecord = r } else { skipped += r.lines; src.pos = r.next }
        }
        guard let h = headerRecord else {
            throw DataError(.empty, file: name, position: "line 1", expected: hasHeader ? "a header row" : "a data row",
                            found: "an empty file")
        }
        let headerLine = 1 + skipped
        let header = try src.buffer.withUnsafeBytes {
            try CSVRowDecoder.readHeader(UnsafeRawBufferPointer(rebasing: $0[h.start..<h.end]), delimiter: d, file: name,
                                         hasHeader: hasHeader, line: headerLine)
        }
        let plan = try makePlan(header, headerLine, name)
        let dec = CSVRowDecoder(plan: plan, delimiter: d, file: name, firstLine: hasHeader ? headerLine + h.lines : headerLine,
                                streamingLabels: mapping)
        if hasHeader { src.pos = h.next }
        file = name
        self.chunkRows = Swift.max(1, chunkRows)
        self.header = header
        self.plan = plan
        featureNames = plan.featureNames
        decoder = dec
        source = src
    }

    deinit { try? source.handle.close() }

    /// Decodes the next chunk of up to `chunkRows` rows; nil at end of file.
    public func next() throws -> CSVChunk? {
        let firstRow = decoder.dataRow
        var rowNumbers: [Int] = []
        var features: [Double] = []
        features.reserveCapacity(Swift.min(chunkRows, 1 << 20) * Swift.max(featureNames.count, 1))
        var ids: [[String]] = []
        var rows = 0
        while rows < chunkRows, let r = try source.nextRecord(line: decoder.line) {
            if r.end > r.start {
                let kept = try source.buffer.withUnsafeBytes {
                    try decoder.decodeOrSkip(UnsafeRawBufferPointer(rebasing: $0[r.start..<r.end]), lines: r.lines,
                                             features: &features, ids: &ids)
                }
                if kept { rows += 1; rowNumbers.append(decoder.dataRow) }
            } else {
                decoder.line += r.lines
            }
            source.pos = r.next
        }
        if rows == 0 { return nil }
        return CSVChunk(firstRow: firstRow, rowNumbers: rowNumbers, rows: rows, columns: featureNames.count, features: features,
                        labels: decoder.labelIndex == nil ? nil : decoder.takeStreamedLabels(),
                        ids: plan.idColumns.isEmpty ? nil : ids)
    }
}
