import Foundation

/// The single error type thrown by every parser and loader in `IMDADData`.
///
/// It names the file, the position inside it, what was expected there and (when useful)
/// what was found, plus an optional hint on how to fix the input. Its `description`
/// reads like
///
///     data.csv: row 5 (line 6), column 'age': expected a number, found "abc"
///
/// Rows are numbered the same way in every message about a text file: `row k` is the k-th
/// data row, 1-based (the header is not a row), and `line m` is the 1-based line of the
/// file where that row starts, counting the header line and blank lines (a quoted field
/// may span lines). So in a file with a header and no blank lines, row k is on line k + 1.
/// Positions inside arrays (NPY / NPZ) use NumPy's 0-based indices: `element [i, j]`.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The category of the problem; tests and callers switch on this.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The input ended before the structure it announced was complete.
        case truncated
        /// A magic number / signature did not match the format.
        case badMagic
        /// A dtype (NPY) or data type code (IDX) that is not supported.
        case unsupportedDType
        /// A NumPy object (pickled) array; it cannot be read safely.
        case objectArray
        /// Shapes or lengths disagree (e.g. `y` is not as long as `X` has rows).
        case shapeMismatch
        /// A header could not be parsed or holds invalid values.
        case malformedHeader
        /// A CSV row has a different number of fields than the header.
        case raggedRow
        /// A CSV cell that should be a number is not one.
        case nonNumeric
        /// An empty / missing value (e.g. an empty CSV cell or `NA`).
        case missingValue
        /// A requested column or array is absent.
        case missingColumn
        /// A label other than 0 or 1.
        case badLabel
        /// NaN or an infinity in the data.
        case nonFinite
        /// No data at all (zero rows or zero columns).
        case empty
        /// A compressed stream is corrupt or uses an unsupported method.
        case decompression
        /// A CRC-32 mismatch.
        case checksum
        /// The file could not be read.
        case io
        /// More bytes follow the data than the header announced.
        case trailingBytes
        /// Malformed text syntax (e.g. a stray quote in CSV).
        case syntax
        /// The file extension / format is not one this module reads.
        case unsupportedFormat
        /// The header claims an absurd amount of data (over the safety cap).
        case tooLarge
        /// The first line of a CSV read with a header row holds only numbers: it looks like
        /// data, not column names. Read the file without a header row (`hasHeader: false`).
        case headerLooksLikeData
        /// A file's columns do not match the model's features by name: some are missing,
        /// unknown or renamed. `found` lists `missing: [...]` and `unexpected: [...]`.
        case schemaMismatch
        /// Data without column names (NPY / NPZ, or a CSV of a model trained without a
        /// header row) has another number of feature columns than the model; checked by count.
        case columnCountMismatch
    }

    public var kind: Kind
    /// The file name (last path component) or a caller-chosen label; `nil` for anonymous buffers.
    public var file: String?
    /// Where the problem is: "byte 128", "row 5 (line 6), column 'age'", "array 'X'", ...
    public var position: String
    /// What the parser expected at `position`.
    public var expected: String
    /// What it found instead, already formatted (quoted text, a number, ...).
    public var found: String?
    /// An optional suggestion for fixing the input.
    public var hint: String?

    public init(_ kind: Kind, file: String?, position: String, expected: String,
                found: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.file = file
        self.position = position
        self.expected = expected
        self.found = found
        self.hint = hint
    }

    public var description: String {
        var s = ""
        if let file, !file.isEmpty { s += file + ": " }
        if !position.isEmpty { s += position + ": " }
        s += "expected " + expected
        if let found { s += ", found " + found }
        if let hint { s += ". HINT: " + hint }
        return s
    }

    /// Returns a copy whose position is prefixed with `prefix` (e.g. "array 'X'").
    func prefixed(_ prefix: String, file newFile: String?) -> DataError {
        var e = self
        e.position = position.isEmpty ? prefix : prefix + ", " + position
        if let newFile { e.file = newFile }
        return e
    }
}

extension DataError: LocalizedError {
    public var errorDescription: String? { description }
}

/// Quotes and truncates text taken from user input for an error message.
@inline(never)
func quoted(_ text: String, limit: Int = 40) -> String {
    var t = text
    if t.count > limit { t = String(t.prefix(limit)) + "…" }
    return "\"" + t.replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// Quotes raw bytes (decoded leniently as UTF-8) for an error message.
@inline(never)
func quoted(bytes: UnsafeRawBufferPointer, limit: Int = 40) -> String {
    let n = Swift.min(bytes.count, limit * 4)
    let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<n]), as: UTF8.self)
    return quoted(bytes.count > n ? s + "…" : s, limit: limit)
}

/// Reads a whole file, mapping I/O failures to `DataError.io`.
func readFileBytes(_ url: URL) throws -> [UInt8] {
    do {
        let data = try Data(contentsOf: url, options: [.mappedIfSafe])
        return [UInt8](data)
    } catch {
        throw DataError(.io, file: url.lastPathComponent, position: "file",
                        expected: "a readable file", found: String(describing: error.localizedDescription))
    }
}
