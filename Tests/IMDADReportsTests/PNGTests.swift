import XCTest
import Foundation
import CZlib
import IMDADReports

/// Parsed PNG, decoded independently of the encoder (own chunk walker, own CRC table,
/// zlib `uncompress` for IDAT, own unfiltering).
/// A PNG decoded by the independent reference decoder of these tests (CRCs checked, filters undone).
struct DecodedPNG {
    var width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0
    var chunkTypes: [String] = []
    var filterTypes: [UInt8] = []
    var pixels: [UInt8] = []
}

private enum PNGTestError: Error { case bad(String) }

private let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1 }
    return c
}

private func referenceCRC(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
}

private func be32(_ b: [UInt8], _ i: Int) -> Int {
    Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
}

func decodePNG(_ data: Data) throws -> DecodedPNG {
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
    var raw = [UInt8](repeating: 0, count: (stride + 1) * out.height)
    var rawLen = uLongf(raw.count)
    let rc = raw.withUnsafeMutableBufferPointer { r in
        idat.withUnsafeBufferPointer { s in uncompress(r.baseAddress, &rawLen, s.baseAddress, uLong(s.count)) }
    }
    guard rc == Z_OK, Int(rawLen) == raw.count else { throw PNGTestError.bad("inflate rc=\(rc) len=\(rawLen)") }
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

final class PNGTests: XCTestCase {
    func testGrayscaleRoundTrip() throws {
        let px: [UInt8] = [0, 64, 128, 255, 10, 20, 30, 40, 200, 201, 202, 203]
        let png = try PNGEncoder.encodeGrayscale(px, width: 4, height: 3)
        let d = try decodePNG(png)
        XCTAssertEqual(d.chunkTypes, ["IHDR", "IDAT", "IEND"])
        XCTAssertEqual([d.width, d.height, d.bitDepth, d.colorType, d.interlace], [4, 3, 8, 0, 0])
        XCTAssertEqual(d.pixels, px)
        XCTAssertTrue(d.filterTypes.allSatisfy { $0 <= 4 })
    }

    func testRGBAndRGBARoundTripWithAllFilterKinds() throws {
        // A gradient plus noise exercises several filter choices.
        var rng = SystemRandomNumberGenerator()
        let w = 37, h = 23
        var rgb = [UInt8](), rgba = [UInt8]()
        for y in 0..<h {
            for x in 0..<w {
                let r = UInt8((x * 7) & 255), g = UInt8((y * 11) & 255), b = y % 5 == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8((x + y) & 255)
                rgb += [r, g, b]
                rgba += [r, g, b, UInt8((x * y) & 255)]
            }
        }
        let d3 = try decodePNG(try PNGEncoder.encodeRGB(rgb, width: w, height: h))
        XCTAssertEqual([d3.width, d3.height, d3.bitDepth, d3.colorType], [w, h, 8, 2])
        XCTAssertEqual(d3.pixels, rgb)
        let d4 = try decodePNG(try PNGEncoder.encodeRGBA(rgba, width: w, height: h))
        XCTAssertEqual([d4.width, d4.height, d4.colorType], [w, h, 6])
        XCTAssertEqual(d4.pixels, rgba)
        XCTAssertTrue(Set(d3.filterTypes + d4.filterTypes).count >= 2, "expected adaptive filtering to use more than one filter")
    }

    func testZlibCRCMatchesReference() {
        let bytes = Array("IEND".utf8)
        XCTAssertEqual(PNGEncoder.crc32(bytes), 0xAE42_6082)
        XCTAssertEqual(PNGEncoder.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(PNGEncoder.crc32(bytes), referenceCRC(bytes[...]))
    }

    func testInvalidInputThrows() {
        XCTAssertThrowsError(try PNGEncoder.encodeRGB([1, 2, 3], width: 2, height: 1))
        XCTAssertThrowsError(try PNGEncoder.encodeGrayscale([], width: 0, height: 0))
        XCTAssertThrowsError(try heatMapPNG(values: [Float](repeating: 0, count: 5), width: 2, height: 2))
        XCTAssertThrowsError(try heatMapPNG(values: [Float](repeating: 0, count: 4), width: 2, height: 2, overlayOn: [0]))
    }

    func testDataURI() throws {
        let png = try PNGEncoder.encodeGrayscale([7], width: 1, height: 1)
        let uri = PNGEncoder.dataURI(png)
        XCTAssertTrue(uri.hasPrefix("data:image/png;base64,iVBORw0KGgo"))
        XCTAssertEqual(Data(base64Encoded: String(uri.dropFirst("data:image/png;base64,".count))), png)
    }

    func testColormaps() {
        XCTAssertEqual(Colormap.diverging.color(at: 0), RGB(hex: 0x053061))
        XCTAssertEqual(Colormap.diverging.color(at: 0.5), RGB(hex: 0xF7F7F7))
        XCTAssertEqual(Colormap.diverging.color(at: 1), RGB(hex: 0x67001F))
        XCTAssertEqual(Colormap.viridis.color(at: -3), RGB(hex: 0x440154))
        XCTAssertEqual(Colormap.viridis.color(at: 7), RGB(hex: 0xFDE725))
        XCTAssertEqual(Colormap.viridis.color(at: .nan), Colormap.viridis.color(at: 0.5))
        XCTAssertEqual(Colormap.grayscale.color(at: 0.5), RGB(128, 128, 128))
        XCTAssertEqual(RGB(hex: 0x0072B2).hex, "#0072b2")
        XCTAssertEqual(Colormap.diverging.defaultRange(for: [Float(-2), 1, .nan]), -2...2)
        XCTAssertEqual(Colormap.viridis.defaultRange(for: [Double(3), 5, .infinity]), 3...5)
        XCTAssertEqual(Colormap.viridis.defaultRange(for: [Double]()), 0...1)
        // Red for positive, blue for negative.
        let pos = Colormap.diverging.color(for: 1, in: -1...1), neg = Colormap.diverging.color(for: -1, in: -1...1)
        XCTAssertGreaterThan(pos.r, pos.b)
        XCTAssertGreaterThan(neg.b, neg.r)
    }

    func testHeatMapPNGUpscalesAndOverlays() throws {
        let values: [Float] = [-1, 0, 1, .nan]
        let gray: [Float] = [0, 0.5, 1, 0.25]
        let png = try heatMapPNG(values: values, width: 2, height: 2, colormap: .diverging, scale: 8)
        let d = try decodePNG(png)
        XCTAssertEqual([d.width, d.height, d.colorType], [16, 16, 2])
        func px(_ img: DecodedPNG, _ x: Int, _ y: Int) -> RGB {
            let i = 3 * (y * img.width + x)
            return RGB(img.pixels[i], img.pixels[i + 1], img.pixels[i + 2])
        }
        XCTAssertEqual(px(d, 0, 0), Colormap.diverging.color(at: 0))
        XCTAssertEqual(px(d, 7, 7), Colormap.diverging.color(at: 0))     // same source cell
        XCTAssertEqual(px(d, 8, 0), Colormap.diverging.color(at: 0.5))
        XCTAssertEqual(px(d, 15, 7), Colormap.diverging.color(at: 0.5))
        XCTAssertEqual(px(d, 0, 8), Colormap.diverging.color(at: 1))
        XCTAssertEqual(px(d, 15, 15), Colormap.diverging.color(at: 0.5)) // NaN → neutral

        // Overlay with constant alpha 0.5: halfway between gray and colour; NaN shows the image.
        let o = try decodePNG(try heatMapPNG(values: values, width: 2, height: 2, colormap: .diverging, scale: 1,
                                             overlayOn: gray, alpha: 0.5))
        let c = Colormap.diverging.color(at: 1)
        let expected = RGB(UInt8((255 + Double(c.r)) / 2 + 0.5), UInt8((255 + Double(c.g)) / 2 + 0.5), UInt8((255 + Double(c.b)) / 2 + 0.5))
        let got = px(o, 0, 1)
        XCTAssertLessThanOrEqual(abs(Int(got.r) - Int(expected.r)), 1)
        XCTAssertLessThanOrEqual(abs(Int(got.g) - Int(expected.g)), 1)
        XCTAssertLessThanOrEqual(abs(Int(got.b) - Int(expected.b)), 1)
        XCTAssertEqual(px(o, 1, 1), RGB(64, 64, 64))
        // Magnitude-weighted alpha: zero value → pure image.
        let m = try decodePNG(try heatMapPNG(values: values, width: 2, height: 2, overlayOn: gray, alpha: 1, alphaByMagnitude: true))
        XCTAssertEqual(px(m, 1, 0), RGB(128, 128, 128))
    }

    func testGrayscalePNG() throws {
        let d = try decodePNG(try grayscalePNG(values: [0.0, 1.0, .nan, 0.5], width: 2, height: 2, scale: 3))
        XCTAssertEqual([d.width, d.height, d.colorType], [6, 6, 0])
        XCTAssertEqual(Array(d.pixels[0..<6]), [0, 0, 0, 255, 255, 255])
        XCTAssertEqual(Array(d.pixels[30..<36]), [0, 0, 0, 128, 128, 128])
    }

    func testMNISTSizedHeatMapIsSmall() throws {
        let values = (0..<784).map { i in Float(sin(Double(i) / 30)) }
        let png = try heatMapPNG(values: values, width: 28, height: 28, scale: 8)
        let d = try decodePNG(png)
        XCTAssertEqual([d.width, d.height], [224, 224])
        XCTAssertLessThan(png.count, 20_000)
    }
}
