import Foundation

/// An IDX array (the MNIST file format), plain or gzip-compressed.
///
/// Layout: two zero bytes, a type code, the number of dimensions, then one big-endian
/// UInt32 per dimension, then exactly `product(dims) * elementSize` big-endian elements.
public struct IDXArray: Equatable, Sendable {
    /// IDX element type codes.
    public enum DataType: UInt8, Sendable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
    }

    public var shape: [Int]
    public var dataType: DataType
    /// The raw element bytes (big-endian), `count * dataType.size` of them.
    public var payload: [UInt8]

    public init(shape: [Int], dataType: DataType, payload: [UInt8]) {
        self.shape = shape
        self.dataType = dataType
        self.payload = payload
    }

    /// Number of elements.
    public var count: Int { payload.count / dataType.size }

    /// The elements as bytes when the type is `.uint8` (MNIST images and labels), else nil.
    public var uint8Values: [UInt8]? { dataType == .uint8 ? payload : nil }

    /// The elements converted to Double (row-major).
    public func doubleValues() -> [Double] {
        payload.withUnsafeBytes { p in
            let n = count
            func conv<T: FixedWidthInteger>(_: T.Type, _ f: (T) -> Double) -> [Double] {
                (0..<n).map { f(T(bigEndian: p.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))) }
            }
            switch dataType {
            case .uint8: return conv(UInt8.self) { Double($0) }
            case .int8: return conv(Int8.self) { Double($0) }
            case .int16: return conv(Int16.self) { Double($0) }
            case .int32: return conv(Int32.self) { Double($0) }
            case .float32: return conv(UInt32.self) { Double(Float(bitPattern: $0)) }
            case .float64: return conv(UInt64.self) { Double(bitPattern: $0) }
            }
        }
    }

    /// Refuse headers claiming more than this many payload bytes (4 GiB).
    public static let maxPayloadBytes = 1 << 32

    /// Reads an IDX file (gzip-compressed if it starts with 1f 8b).
    public static func read(contentsOf url: URL) throws -> IDXArray {
        try parse(readFileBytes(url), file: url.lastPathComponent)
    }

    /// Parses IDX bytes, decompressing gzip transparently with bounded output.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws -> IDXArray {
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
            return try parseGzip(bytes, file: file)
        }
        return try bytes.withUnsafeBytes { raw in
            let header = try parseHeader(count: raw.count, file: file, compressed: false) { off, len in
                Array(UnsafeRawBufferPointer(rebasing: raw[off..<(off + len)]))
            }
            let start = 4 + 4 * header.shape.count
            let available = raw.count - start
            guard header.payloadBytes <= available else {
                throw DataError(.truncated, file: file, position: "byte \(start)",
                                expected: "\(header.payloadBytes) data bytes for shape \(shapeString(header.shape))",
                                found: "\(available) bytes")
            }
            guard header.payloadBytes == available else {
                throw DataError(.trailingBytes, file: file, position: "byte \(start + header.payloadBytes)",
                                expected: "end of file after \(header.payloadBytes) data bytes",
                                found: "\(available - header.payloadBytes) extra bytes")
            }
            return IDXArray(shape: header.shape, dataType: header.type,
                            payload: Array(UnsafeRawBufferPointer(rebasing: raw[start...])))
        }
    }

    struct Header { var type: DataType; var shape: [Int]; var payloadBytes: Int }

    /// Validates the header. `fetch(offset, length)` returns exactly those bytes; it is only
    /// called after checking `offset + length <= available` (for plain files) — gzip callers
    /// pass `Int.max` as available and throw from `fetch` when the stream is short.
    static func parseHeader(count available: Int, file: String?, compressed: Bool,
                            fetch: (Int, Int) throws -> [UInt8]) throws -> Header {
        let where_ = compressed ? "uncompressed byte" : "byte"
        guard available >= 4 else {
            throw DataError(.truncated, file: file, position: "\(where_) 0",
                            expected: "a 4-byte IDX magic number", found: "\(available) bytes")
        }
        let magic = try fetch(0, 4)
        guard magic[0] == 0, magic[1] == 0 else {
            throw DataError(.badMagic, file: file, position: "\(where_) 0",
                            expected: "an IDX magic number starting with two zero bytes",
                            found: "\(Format.hex(magic[0], width: 2)) \(Format.hex(magic[1], width: 2))",
                            hint: "is this an MNIST-style idx file?")
        }
        guard let type = DataType(rawValue: magic[2]) else {
            throw DataError(.unsupportedDType, file: file, position: "\(where_) 2",
                            expected: "an IDX type code 08, 09, 0b, 0c, 0d or 0e", found: Format.hex(magic[2], width: 2))
        }
        let ndim = Int(magic[3])
        guard ndim >= 1 else {
            throw DataError(.malformedHeader, file: file, position: "\(where_) 3",
                            expected: "at least one dimension", found: "0")
        }
        guard available - 4 >= 4 * ndim else {
            throw DataError(.truncated, file: file, position: "\(where_) 4",
                            expected: "\(ndim) 4-byte dimension sizes", found: "\(available - 4) bytes")
        }
        let dimBytes = try fetch(4, 4 * ndim)
        var shape: [Int] = []
        for k in 0..<ndim {
            let b = dimBytes[(4 * k)..<(4 * k + 4)]
            shape.append(b.reduce(0) { $0 << 8 | Int($1) })
        }
        guard let count = checkedProduct(shape) else {
            throw DataError(.tooLarge, file: file, position: "\(where_) 4",
                            expected: "dimensions whose product fits in memory", found: shapeString(shape))
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: type.size)
        guard !overflow, bytes <= maxPayloadBytes else {
            throw DataError(.tooLarge, file: file, position: "\(where_) 4",
                            expected: "at most \(maxPayloadBytes) data bytes", found: "shape \(shapeString(shape))")
        }
        return Header(type: type, shape: shape, payloadBytes: bytes)
    }

    static func parseGzip(_ bytes: [UInt8], file: String?) throws -> IDXArray {
        try bytes.withUnsafeBytes { raw in
            let stream = try InflateStream(raw, format: .gzip, file: file, label: "gzip stream")
            var consumed = 0
            let header = try parseHeader(count: Int.max, file: file, compressed: true) { off, len in
                precondition(off == consumed)
                let out = try stream.read(exactly: len, what: off == 0 ? "the IDX magic number" : "the IDX dimensions")
                consumed += len
                return out
            }
            // Deflate cannot expand beyond ~1032:1: refuse impossible claims before allocating.
            guard header.payloadBytes <= maxInflatedSize(compressedSize: bytes.count) else {
                throw DataError(.truncated, file: file, position: "uncompressed byte \(consumed)",
                                expected: "\(header.payloadBytes) data bytes for shape \(shapeString(header.shape))",
                                found: "only \(bytes.count) compressed bytes, which cannot hold that much")
            }
            let payload = try stream.read(exactly: header.payloadBytes, what: "data for shape \(shapeString(header.shape))")
            if try stream.hasMoreOutput() {
                throw DataError(.trailingBytes, file: file, position: "uncompressed byte \(consumed + header.payloadBytes)",
                                expected: "end of data after \(header.payloadBytes) data bytes", found: "more bytes")
            }
            return IDXArray(shape: header.shape, dataType: header.type, payload: payload)
        }
    }

    /// Serializes as plain IDX bytes (for tests and fixtures).
    public func encode() -> [UInt8] {
        var out: [UInt8] = [0, 0, dataType.rawValue, UInt8(shape.count)]
        for d in shape { withUnsafeBytes(of: UInt32(truncatingIfNeeded: d).bigEndian) { out += $0 } }
        return out + payload
    }
}
