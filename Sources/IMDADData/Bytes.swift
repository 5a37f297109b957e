import Foundation

/// Bounds-checked helpers for reading fixed-width integers from raw bytes.
/// Callers check `offset + size <= count` first; these helpers re-check and return nil.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func le<T: FixedWidthInteger>(_ offset: Int, as: T.Type = T.self) -> T? {
        guard offset >= 0, offset <= count - MemoryLayout<T>.size else { return nil }
        return T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inline(__always)
    func be<T: FixedWidthInteger>(_ offset: Int, as: T.Type = T.self) -> T? {
        guard offset >= 0, offset <= count - MemoryLayout<T>.size else { return nil }
        return T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

/// Multiplies dimensions, returning nil on overflow or a negative dimension.
func checkedProduct(_ dims: [Int]) -> Int? {
    var n = 1
    for d in dims {
        guard d >= 0 else { return nil }
        let (p, o) = n.multipliedReportingOverflow(by: d)
        if o { return nil }
        n = p
    }
    return n
}

/// Formats a shape like NumPy: `(3, 4)`, `(3,)`, `()`.
func shapeString(_ shape: [Int]) -> String {
    if shape.count == 1 { return "(\(shape[0]),)" }
    return "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// Converts an IEEE 754 half-precision bit pattern to Float (portable, no Float16 needed).
@inline(__always)
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exp = Int((h >> 10) & 0x1F)
    let mant = UInt32(h & 0x3FF)
    if exp == 0 {
        // zero or subnormal: mant * 2^-24
        let v = Float(mant) * Float(bitPattern: 0x3380_0000) // 2^-24
        return sign != 0 ? -v : v
    }
    if exp == 31 {
        return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13))
    }
    return Float(bitPattern: sign | (UInt32(exp + 112) << 23) | (mant << 13))
}
