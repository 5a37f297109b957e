import XCTest
import Foundation
import IMDADData
@testable import IMDADCharts
import IMDADTestSupport

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
                let r = UInt8((x * 7) & 255), g = UInt8((y * 11) & 255)
                let b = y % 5 == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8((x + y) & 255)
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
