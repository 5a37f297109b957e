// A reference PNG decoder for tests (the chart PNG encoder's round trips, browser screenshots).

import Foundation
import IMDADData

/// Parsed PNG, decoded independently of the encoder (own chunk walker, own CRC table,
/// zlib inflate for IDAT, own unfiltering).
/// A PNG decoded by the independent reference decoder of these tests (CRCs checked, filters undone).
public struct DecodedPNG: Sendable {
    public var width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0
    public var chunkTypes: [String] = []
    public var filterTypes: [UInt8] = []
    public var pixels: [UInt8] = []
}

/// Why the reference decoder refused a PNG.
public enum PNGTestError: Error { case bad(String) }

private let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1 }
    return c
}

/// Bitwise-table CRC-32, independent of zlib.
public func referenceCRC(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
}

private func be32(_ b: [UInt8], _ i: Int) -> Int {
    Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
}

public func decodePNG(_ data: Data) throws -> DecodedPNG {
    let b = [UInt8](data)
    guard Array(b.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw PNGTestError.bad("signature") }
    var out = DecodedPNG()
    var idat: [UInt8] = []
    var i = 8
    while i + 12 <= b.count {
        let len = be32(b, i)
        let type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
        let payload = Array(b[(i + 8)..<(i + 8 + len)])
        let crc = UInt32(be32(b, i + 8 + len))
        guard crc == referenceCRC(b[(i + 4)..<(i + 8 + len)]) else { throw PNGTestError.bad("crc of \(type)") }
        out.chunkTypes.append(type)
        switch type {
        case "IHDR":
            guard len == 13 else { throw PNGTestError.bad("IHDR length") }
            out.width = be32(payload, 0); out.height = be32(payload, 4)
            out.bitDepth = Int(payload[8]); out.colorType = Int(payload[9]); out.interlace = Int(payload[12])
            guard payload[10] == 0, payload[11] == 0 else { throw PNGTestError.bad("compression/filter method") }
        case "IDAT": idat += payload
        default: break
        }
        i += 12 + len
    }
    guard i == b.count else { throw PNGTestError.bad("trailing bytes") }
    guard out.bitDepth == 8, out.interlace == 0 else { throw PNGTestError.bad("bit depth \(out.bitDepth), interlace \(out.interlace)") }
    let bpp = [0: 1, 2: 3, 4: 2, 6: 4][out.colorType] ?? 0
    let stride = out.width * bpp
    let raw = try inflateZlib(idat, limit: (stride + 1) * out.height + 1)
    guard raw.count == (stride + 1) * out.height else { throw PNGTestError.bad("inflated \(raw.count) bytes") }
    var prev = [UInt8](repeating: 0, count: stride)
    for y in 0..<out.height {
        let f = raw[y * (stride + 1)]
        out.filterTypes.append(f)
        var row = Array(raw[(y * (stride + 1) + 1)..<((y + 1) * (stride + 1))])
        for x in 0..<stride {
            let a = x >= bpp ? Int(row[x - bpp]) : 0, up = Int(prev[x]), c = x >= bpp ? Int(prev[x - bpp]) : 0
            let pred: Int
            switch f {
            case 0: pred = 0
            case 1: pred = a
            case 2: pred = up
            case 3: pred = (a + up) / 2
            case 4:
                let p = a + up - c
                let pa = abs(p - a), pb = abs(p - up), pc = abs(p - c)
                pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? up : c)
            default: throw PNGTestError.bad("filter \(f)")
            }
            row[x] = UInt8((Int(row[x]) + pred) & 0xFF)
        }
        out.pixels += row
        prev = row
    }
    return out
}

/// Inflates a zlib-framed stream (PNG `IDAT`) through IMDADData's zlib seam, refusing more than `limit` bytes.
public func inflateZlib(_ compressed: [UInt8], limit: Int) throws -> [UInt8] {
    let inflater = try Zlib.Inflater(framing: .zlib)
    var input = compressed
    var out = [UInt8](repeating: 0, count: limit)
    var written = 0
    return try input.withUnsafeMutableBytes { inp in
        if let base = inp.baseAddress { inflater.setInput(base, count: inp.count) }
        while true {
            let (status, got) = out.withUnsafeMutableBytes { o in
                inflater.inflate(into: UnsafeMutableRawBufferPointer(rebasing: o[written...]))
            }
            written += got
            switch status {
            case .streamEnd: return Array(out[..<written])
            case .ok where got > 0: continue
            default: throw PNGTestError.bad("inflate \(status) after \(written) bytes")
            }
        }
    }
}
