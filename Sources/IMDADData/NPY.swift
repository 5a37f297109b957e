import Foundation

/// The element type of an `.npy` array (the header's `descr`).
public struct NPYDType: Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Character, Sendable, Hashable {
        case float = "f", signedInteger = "i", unsignedInteger = "u", bool = "b"
    }
    public var kind: Kind
    /// Bytes per element.
    public var size: Int
    public var bigEndian: Bool

    public init(kind: Kind, size: Int, bigEndian: Bool = false) {
        self.kind = kind
        self.size = size
        self.bigEndian = bigEndian
    }

    public static let float64 = NPYDType(kind: .float, size: 8)
    public static let float32 = NPYDType(kind: .float, size: 4)
    public static let float16 = NPYDType(kind: .float, size: 2)
    public static let int8 = NPYDType(kind: .signedInteger, size: 1)
    public static let int16 = NPYDType(kind: .signedInteger, size: 2)
    public static let int32 = NPYDType(kind: .signedInteger, size: 4)
    public static let int64 = NPYDType(kind: .signedInteger, size: 8)
    public static let uint8 = NPYDType(kind: .unsignedInteger, size: 1)
    public static let uint16 = NPYDType(kind: .unsignedInteger, size: 2)
    public static let uint32 = NPYDType(kind: .unsignedInteger, size: 4)
    public static let uint64 = NPYDType(kind: .unsignedInteger, size: 8)
    public static let bool = NPYDType(kind: .bool, size: 1)

    /// NumPy's `descr` string, e.g. `<f8`, `>i4`, `|u1`, `|b1`.
    public var description: String {
        let order: String = size == 1 ? "|" : (bigEndian ? ">" : "<")
        return order + String(kind.rawValue) + String(size)
    }

    /// Parses a `descr` string. Throws `.objectArray` for object dtypes and
    /// `.unsupportedDType` for everything outside f2/f4/f8, i1–i8, u1–u8, b1.
    static func parse(_ descr: String, file: String?) throws -> NPYDType {
        let position = "NPY header, 'descr'"
        var chars = Substring(descr)
        var big = false
        if let first = chars.first, "<>|=!".contains(first) {
            big = first == ">" || first == "!"
            chars = chars.dropFirst()
        }
        guard let code = chars.first else {
            throw DataError(.unsupportedDType, file: file, position: position,
                            expected: "a dtype such as '<f8'", found: quoted(descr))
        }
        let sizeText = chars.dropFirst()
        if code == "O" {
            throw DataError(.objectArray, file: file, position: position,
                            expected: "a numeric dtype", found: "object dtype \(quoted(descr))",
                            hint: "re-save without allow_pickle / convert to a numeric dtype, e.g. X.astype(np.float64)")
        }
        if code == "?" && sizeText.isEmpty { return .bool }
        let unsupported = DataError(.unsupportedDType, file: file, position: position,
                                    expected: "one of f2, f4, f8, i1, i2, i4, i8, u1, u2, u4, u8, b1",
                                    found: quoted(descr),
                                    hint: "convert the array to a numeric dtype, e.g. X.astype(np.float64)")
        guard let kind = Kind(rawValue: code), let size = Int(sizeText) else { throw unsupported }
        let ok: Bool
        switch kind {
        case .float: ok = size == 2 || size == 4 || size == 8
        case .signedInteger, .unsignedInteger: ok = size == 1 || size == 2 || size == 4 || size == 8
        case .bool: ok = size == 1
        }
        guard ok else { throw unsupported }
        return NPYDType(kind: kind, size: size, bigEndian: size > 1 && big)
    }
}

/// A NumPy `.npy` array converted to `Double`, in row-major (C) order.
///
/// Reads format versions 1.0, 2.0 and 3.0; dtypes f2/f4/f8, i1–i8, u1–u8 and b1 in
/// either byte order; C or Fortran order (Fortran data is transposed into row-major).
/// Object / pickled arrays are refused with `DataError.Kind.objectArray`.
public struct NPYArray: Equatable, Sendable {
    /// The dimensions; `[]` for a 0-d (scalar) array.
    public var shape: [Int]
    /// The elements in row-major order; `shape.reduce(1, *)` of them.
    public var values: [Double]
    /// The element type the array was stored with (`.float64` for arrays built in memory).
    public var dtype: NPYDType

    public init(shape: [Int], values: [Double], dtype: NPYDType = .float64) {
        self.shape = shape
        self.values = values
        self.dtype = dtype
    }

    /// Number of elements the shape describes.
    public var count: Int { values.count }

    /// The 8-byte NPY magic: `\x93NUMPY`.
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Reads an `.npy` file.
    public static func read(contentsOf url: URL) throws -> NPYArray {
        let bytes = try readFileBytes(url)
        return try parse(bytes, file: url.lastPathComponent)
    }

    /// Parses `.npy` bytes held in `Data`.
    public static func parse(_ data: Data, file: String? = nil) throws -> NPYArray {
        try data.withUnsafeBytes { try parse(raw: $0, file: file) }
    }

    /// Parses `.npy` bytes.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws -> NPYArray {
        try bytes.withUnsafeBytes { try parse(raw: $0, file: file) }
    }

    /// Parses `.npy` bytes from raw memory (the core entry point).
    public static func parse(raw: UnsafeRawBufferPointer, file: String? = nil) throws -> NPYArray {
        let n = raw.count
        func truncated(at offset: Int, _ expected: String) -> DataError {
            DataError(.truncated, file: file, position: "byte \(offset)", expected: expected,
                      found: "end of file (\(n) bytes)")
        }
        // Magic.
        if n >= 1, raw[0] == 0x80 {
            throw DataError(.objectArray, file: file, position: "byte 0",
                            expected: "the NPY magic \\x93NUMPY", found: "a Python pickle",
                            hint: "re-save without allow_pickle / convert to a numeric dtype and use np.save")
        }
        for i in 0..<magic.count {
            guard i < n else { throw truncated(at: i, "the NPY magic \\x93NUMPY") }
            guard raw[i] == magic[i] else {
                throw DataError(.badMagic, file: file, position: "byte \(i)",
                                expected: "the NPY magic \\x93NUMPY",
                                found: quoted(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<Swift.min(n, 6)])),
                                hint: "is this really a .npy file?")
            }
        }
        guard n >= 8 else { throw truncated(at: n, "the 2-byte format version") }
        let major = raw[6], minor = raw[7]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            guard let h = raw.le(8, as: UInt16.self) else { throw truncated(at: 8, "a 2-byte header length") }
            headerLength = Int(h); headerStart = 10
        case 2, 3:
            guard let h = raw.le(8, as: UInt32.self) else { throw truncated(at: 8, "a 4-byte header length") }
            headerLength = Int(h); headerStart = 12
        default:
            throw DataError(.malformedHeader, file: file, position: "byte 6",
                            expected: "format version 1.0, 2.0 or 3.0", found: "version \(major).\(minor)")
        }
        guard headerLength <= n - headerStart else {
            throw truncated(at: n, "a \(headerLength)-byte header starting at byte \(headerStart)")
        }
        let dataStart = headerStart + headerLength
        var headerBytes = Array(UnsafeRawBufferPointer(rebasing: raw[headerStart..<dataStart]))
        // Header ends with '\n' (possibly preceded by space padding); tolerate NUL padding too.
        while let last = headerBytes.last, last == 0x0A || last == 0x20 || last == 0x00 { headerBytes.removeLast() }
        if major < 3, headerBytes.contains(where: { $0 >= 0x80 }) {
            // latin-1 header: re-encode as UTF-8 so the parser sees characters.
            headerBytes = Array(String(headerBytes.map { Character(UnicodeScalar($0)) }).utf8)
        }
        var parser = PyLiteralParser(bytes: headerBytes, base: headerStart, file: file)
        let literal = try parser.parseTop()
        guard case .dict(let entries) = literal else {
            throw DataError(.malformedHeader, file: file, position: "byte \(headerStart) (NPY header)",
                            expected: "a dictionary {'descr': ..., 'fortran_order': ..., 'shape': ...}")
        }
        func value(_ key: String) throws -> PyLiteral {
            guard let v = entries.first(where: { $0.0 == key })?.1 else {
                throw DataError(.malformedHeader, file: file, position: "byte \(headerStart) (NPY header)",
                                expected: "the key '\(key)'",
                                found: "keys " + entries.map { "'\($0.0)'" }.joined(separator: ", "))
            }
            return v
        }
        // descr
        let dtype: NPYDType
        switch try value("descr") {
        case .string(let s): dtype = try NPYDType.parse(s, file: file)
        case .list:
            throw DataError(.unsupportedDType, file: file, position: "NPY header, 'descr'",
                            expected: "a plain numeric dtype", found: "a structured (record) dtype",
                            hint: "save each field as its own array, or use a plain 2-D numeric array")
        default:
            throw DataError(.malformedHeader, file: file, position: "NPY header, 'descr'", expected: "a dtype string")
        }
        guard case .bool(let fortran) = try value("fortran_order") else {
            throw DataError(.malformedHeader, file: file, position: "NPY header, 'fortran_order'", expected: "True or False")
        }
        guard case .tuple(let dimsLiteral) = try value("shape") else {
            throw DataError(.malformedHeader, file: file, position: "NPY header, 'shape'", expected: "a tuple of integers")
        }
        var shape: [Int] = []
        for d in dimsLiteral {
            guard case .int(let v) = d, v >= 0 else {
                throw DataError(.malformedHeader, file: file, position: "NPY header, 'shape'",
                                expected: "non-negative integer dimensions")
            }
            shape.append(v)
        }
        guard let count = checkedProduct(shape) else {
            throw DataError(.tooLarge, file: file, position: "NPY header, 'shape'",
                            expected: "a shape whose element count fits in memory", found: shapeString(shape))
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        let available = n - dataStart
        guard !overflow, byteCount <= available else {
            let expectedBytes = overflow ? "an enormous number of" : String(byteCount)
            throw DataError(.truncated, file: file, position: "byte \(dataStart)",
                            expected: "\(expectedBytes) data bytes for shape \(shapeString(shape)) of \(dtype)",
                            found: "\(available) bytes")
        }
        guard byteCount == available else {
            throw DataError(.trailingBytes, file: file, position: "byte \(dataStart + byteCount)",
                            expected: "end of file after \(byteCount) data bytes for shape \(shapeString(shape)) of \(dtype)",
                            found: "\(available - byteCount) extra bytes")
        }
        let payload = UnsafeRawBufferPointer(rebasing: raw[dataStart..<(dataStart + byteCount)])
        var values = decodeElements(payload, count: count, dtype: dtype)
        if fortran, shape.count > 1, count > 1 {
            values = fortranToRowMajor(values, shape: shape)
        }
        return NPYArray(shape: shape, values: values, dtype: dtype)
    }

    /// Converts `count` elements of `dtype` to Double (storage order).
    static func decodeElements(_ p: UnsafeRawBufferPointer, count: Int, dtype: NPYDType) -> [Double] {
        let big = dtype.bigEndian
        @inline(__always)
        func ints<T: FixedWidthInteger>(_: T.Type, _ conv: (T) -> Double) -> [Double] {
            [Double](unsafeUninitializedCapacity: count) { buf, initialized in
                let stride = MemoryLayout<T>.size
                for i in 0..<count {
                    let v = p.loadUnaligned(fromByteOffset: i * stride, as: T.self)
                    buf[i] = conv(big ? T(bigEndian: v) : T(littleEndian: v))
                }
                initialized = count
            }
        }
        switch (dtype.kind, dtype.size) {
        case (.float, 8): return ints(UInt64.self) { Double(bitPattern: $0) }
        case (.float, 4): return ints(UInt32.self) { Double(Float(bitPattern: $0)) }
        case (.float, 2): return ints(UInt16.self) { Double(halfToFloat($0)) }
        case (.signedInteger, 1): return ints(Int8.self) { Double($0) }
        case (.signedInteger, 2): return ints(Int16.self) { Double($0) }
        case (.signedInteger, 4): return ints(Int32.self) { Double($0) }
        case (.signedInteger, 8): return ints(Int64.self) { Double($0) }
        case (.unsignedInteger, 1): return ints(UInt8.self) { Double($0) }
        case (.unsignedInteger, 2): return ints(UInt16.self) { Double($0) }
        case (.unsignedInteger, 4): return ints(UInt32.self) { Double($0) }
        case (.unsignedInteger, 8): return ints(UInt64.self) { Double($0) }
        case (.bool, _): return ints(UInt8.self) { $0 == 0 ? 0 : 1 }
        default: return [] // unreachable: NPYDType.parse validates combinations
        }
    }

    /// Reorders column-major (Fortran) storage into row-major order.
    static func fortranToRowMajor(_ src: [Double], shape: [Int]) -> [Double] {
        let nd = shape.count
        if nd == 2 {
            let r = shape[0], c = shape[1]
            return [Double](unsafeUninitializedCapacity: src.count) { buf, n in
                src.withUnsafeBufferPointer { s in
                    for i in 0..<r { for j in 0..<c { buf[i * c + j] = s[j * r + i] } }
                }
                n = src.count
            }
        }
        // General n-d: walk row-major multi-index, tracking the Fortran offset.
        var fstride = [Int](repeating: 1, count: nd)
        for k in 1..<nd { fstride[k] = fstride[k - 1] * shape[k - 1] }
        var idx = [Int](repeating: 0, count: nd)
        var out = [Double]()
        out.reserveCapacity(src.count)
        var f = 0
        for _ in 0..<src.count {
            out.append(src[f])
            var k = nd - 1
            while k >= 0 {
                idx[k] += 1
                f += fstride[k]
                if idx[k] < shape[k] { break }
                f -= fstride[k] * shape[k]
                idx[k] = 0
                k -= 1
            }
        }
        return out
    }
}
