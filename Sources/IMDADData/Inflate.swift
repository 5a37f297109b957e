import Foundation

/// CRC-32 (IEEE, as used by ZIP and gzip), computed with zlib.
public func crc32Checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    Zlib.crc32(bytes)
}

/// CRC-32 of a byte array.
public func crc32Checksum(_ bytes: [UInt8]) -> UInt32 {
    Zlib.crc32(bytes)
}

/// Deflate can expand data at most ~1032:1; a claimed size beyond this bound cannot
/// come from `compressedSize` bytes, so it is refused before allocating anything.
func maxInflatedSize(compressedSize: Int) -> Int {
    let (m, o) = compressedSize.multipliedReportingOverflow(by: 1040)
    return o ? Int.max : m + 4096
}

/// A pull-style zlib inflater over an in-memory compressed buffer, producing output in
/// caller-sized pieces so memory use is bounded by what the caller asks for.
final class InflateStream {
    enum Format { case raw, gzip }

    private let stream: Zlib.Inflater
    private let input: UnsafeMutableRawBufferPointer
    private var fed = 0
    private let format: Format
    private let file: String?
    private let label: String
    private(set) var ended = false
    /// Total bytes produced so far.
    private(set) var produced = 0

    /// - Parameters:
    ///   - label: used in error positions, e.g. "entry 'X.npy'" or "gzip stream".
    init(_ compressed: UnsafeRawBufferPointer, format: Format, file: String?, label: String) throws {
        self.format = format
        self.file = file
        self.label = label
        do {
            stream = try Zlib.Inflater(framing: format == .raw ? .raw : .gzip)
        } catch {
            throw DataError(.decompression, file: file, position: label, expected: "zlib to initialise",
                            found: "error code \(error.code)")
        }
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(compressed.count, 1), alignment: 1)
        if compressed.count > 0 { input.copyMemory(from: compressed) }
        inputCount = compressed.count
    }
    private var inputCount = 0

    deinit {
        input.deallocate()
    }

    private var remainingInput: Int { stream.availableInput + (inputCount - fed) }

    private func error(_ kind: DataError.Kind, _ expected: String, found: String? = nil) -> DataError {
        DataError(kind, file: file, position: "\(label), compressed byte \(stream.totalIn)",
                  expected: expected, found: found)
    }

    /// Fills `out` as far as the stream allows; returns the number of bytes written, which
    /// is less than `out.count` only when the compressed stream has ended.
    func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        var written = 0
        guard let outBase = out.baseAddress else { return 0 }
        while written < out.count, !ended {
            feedIfEmpty()
            let want = Swift.min(out.count - written, 1 << 30)
            let inBefore = stream.availableInput
            let (status, got) = stream.inflate(into: UnsafeMutableRawBufferPointer(start: outBase.advanced(by: written), count: want))
            written += got
            produced += got
            switch status {
            case .streamEnd:
                if format == .gzip, remainingInput >= 2 {
                    // Possibly another gzip member (concatenated .gz files).
                    feedIfEmpty()
                    if stream.availableInput >= 2, stream.peekInput(2) == [0x1F, 0x8B] {
                        stream.reset()
                        continue
                    }
                }
                ended = true
            case .ok:
                if got == 0, inBefore == stream.availableInput, remainingInput == 0 {
                    throw error(.truncated, "more compressed data", found: "end of input")
                }
            case .bufferError:
                if remainingInput == 0 {
                    throw error(.truncated, "more compressed data", found: "end of input")
                }
                throw error(.decompression, "a valid deflate stream", found: "no progress possible")
            case .dataError(let message):
                let msg = message ?? "corrupt data"
                throw error(.decompression, "a valid \(format == .gzip ? "gzip" : "deflate") stream", found: quoted(msg))
            case .memoryError:
                throw error(.decompression, "enough memory for zlib")
            case .other(let rc):
                throw error(.decompression, "a valid compressed stream", found: "zlib error \(rc)")
            }
        }
        return written
    }

    /// Hands zlib the next piece (≤ 1 GiB) of input once it has consumed the last one.
    private func feedIfEmpty() {
        guard stream.availableInput == 0, fed < inputCount, let base = input.baseAddress else { return }
        let chunk = Swift.min(inputCount - fed, 1 << 30)
        stream.setInput(base.advanced(by: fed), count: chunk)
        fed += chunk
    }

    /// Reads exactly `count` bytes; throws `.truncated` if the stream ends first.
    func read(exactly count: Int, what: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let got = try out.withUnsafeMutableBytes { try read(into: $0) }
        guard got == count else {
            throw DataError(.truncated, file: file, position: "\(label), uncompressed byte \(produced)",
                            expected: "\(count) bytes of \(what)", found: "\(got) bytes before the stream ended")
        }
        return out
    }

    /// Number of further output bytes (checks at most one) — used to detect trailing data.
    /// Also runs the stream to its end so a truncated trailer is reported.
    func hasMoreOutput() throws -> Bool {
        var one: UInt8 = 0
        let got = try withUnsafeMutableBytes(of: &one) { try read(into: $0) }
        return got > 0
    }

    /// Compressed bytes left unread after the end of the stream.
    var trailingInput: Int { ended ? remainingInput : 0 }
}

/// One-shot decompression helpers.
public enum Inflate {
    /// Inflates a raw deflate stream (ZIP method 8) that must produce exactly `expectedSize` bytes.
    public static func raw(_ compressed: UnsafeRawBufferPointer, expectedSize: Int,
                           file: String? = nil, label: String = "deflate stream") throws -> [UInt8] {
        guard expectedSize >= 0, expectedSize <= maxInflatedSize(compressedSize: compressed.count) else {
            throw DataError(.tooLarge, file: file, position: label,
                            expected: "an uncompressed size deflate can reach from \(compressed.count) bytes",
                            found: "\(expectedSize) bytes")
        }
        let s = try InflateStream(compressed, format: .raw, file: file, label: label)
        let out = try s.read(exactly: expectedSize, what: "declared uncompressed data")
        if try s.hasMoreOutput() {
            throw DataError(.shapeMismatch, file: file, position: label,
                            expected: "exactly \(expectedSize) uncompressed bytes", found: "more data")
        }
        guard s.ended else {
            throw DataError(.truncated, file: file, position: label, expected: "the end of the deflate stream")
        }
        return out
    }

    /// Decompresses a gzip stream (one or more members), refusing to produce more than
    /// `limit` bytes.
    public static func gunzip(_ compressed: [UInt8], limit: Int = 1 << 32, file: String? = nil) throws -> [UInt8] {
        try compressed.withUnsafeBytes { raw in
            let s = try InflateStream(raw, format: .gzip, file: file, label: "gzip stream")
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let got = try chunk.withUnsafeMutableBytes { try s.read(into: $0) }
                guard out.count + got <= limit else {
                    throw DataError(.tooLarge, file: file, position: "gzip stream",
                                    expected: "at most \(limit) uncompressed bytes", found: "more")
                }
                out += chunk[0..<got]
                if got < chunk.count { break }
            }
            return out
        }
    }
}
