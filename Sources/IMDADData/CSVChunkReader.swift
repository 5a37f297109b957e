import Foundation

/// A block of consecutive CSV data rows decoded by `CSVChunkReader`.
public struct CSVChunk: Equatable, Sendable {
    /// 0-based index (among data rows) of the first row in this chunk.
    public var firstRow: Int
    public var rows: Int
    public var columns: Int
    /// Row-major features, `rows * columns` values.
    public var features: [Double]
    /// 0/1 labels when a label column was chosen.
    public var labels: [Int]?
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
    /// Feature column names (the header minus the label column).
    public let featureNames: [String]
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
    ///   - hasHeader: when false, columns are named "column 1", "column 2", ...
    public init(url: URL, delimiter: Character = ",", chunkRows: Int = 65_536,
                labelColumn: String? = nil, hasHeader: Bool = true) throws {
        let name = url.lastPathComponent
        let d = try CSVCore.delimiterByte(delimiter, file: name)
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
        var dec = try src.buffer.withUnsafeBytes {
            try CSVRowDecoder(headerRecord: UnsafeRawBufferPointer(rebasing: $0[h.start..<h.end]), headerLines: h.lines,
                              delimiter: d, file: name, labelColumn: labelColumn, hasHeader: hasHeader)
        }
        dec.line += skipped
        if hasHeader { src.pos = h.next }
        file = name
        self.chunkRows = Swift.max(1, chunkRows)
        header = dec.header
        featureNames = dec.featureNames
        decoder = dec
        source = src
    }

    deinit { try? source.handle.close() }

    /// Decodes the next chunk of up to `chunkRows` rows; nil at end of file.
    public func next() throws -> CSVChunk? {
        let firstRow = decoder.dataRow
        var features: [Double] = []
        features.reserveCapacity(Swift.min(chunkRows, 1 << 20) * Swift.max(featureNames.count, 1))
        var labels: [Int] = []
        var rows = 0
        while rows < chunkRows, let r = try source.nextRecord(line: decoder.line) {
            if r.end > r.start {
                try source.buffer.withUnsafeBytes {
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: $0[r.start..<r.end]), lines: r.lines,
                                       features: &features, labels: &labels)
                }
                rows += 1
            } else {
                decoder.line += r.lines
            }
            source.pos = r.next
        }
        if rows == 0 { return nil }
        return CSVChunk(firstRow: firstRow, rows: rows, columns: featureNames.count, features: features,
                        labels: decoder.labelIndex == nil ? nil : labels)
    }
}
