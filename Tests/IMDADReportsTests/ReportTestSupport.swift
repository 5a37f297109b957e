import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import IMDADCharts
import IMDADTestSupport
import IMDADEngine
import IMDADDetectors
@testable import IMDADReports

/// A synthetic tabular problem whose ground truth is known: 8 features, normals ~ N(0.5, 0.05)
/// clipped to [0, 1]; anomalies are normals with features 2 and 5 shifted by +0.4 (nothing else
/// differs), so a faithful attribution must put features 2 and 5 on top.
struct SyntheticTabular: Sendable {
    static let featureCount = 8
    static let shifted: Set<Int> = [2, 5]
    static let names = ["alpha", "beta", "gamma (shifted)", "delta", "epsilon", "zeta (shifted)", "eta", "theta"]

    var model: IMDAD
    /// Training features: 1000 normals then 20 labeled anomalies.
    var train: Tensor
    var trainLabels: [Int]
    var trainNormals: Tensor
    /// Test features: 300 normals then 40 anomalies.
    var test: Tensor
    var testLabels: [Int]

    var testAnomalyRows: [Int] { testLabels.indices.filter { testLabels[$0] == 1 } }

    /// Rows of the problem: normals first, then anomalies.
    static func rows(normals: Int, anomalies: Int, using rng: inout RandomGenerator) -> (Tensor, [Int]) {
        var x = [Float]()
        for i in 0..<(normals + anomalies) {
            for k in 0..<featureCount {
                var v = 0.5 + 0.05 * rng.normal()
                if i >= normals && shifted.contains(k) { v += 0.4 }
                x.append(min(1, max(0, v)))
            }
        }
        return (Tensor(shape: [normals + anomalies, featureCount], scalars: x),
                [Int](repeating: 0, count: normals) + [Int](repeating: 1, count: anomalies))
    }

    static let shared: SyntheticTabular = {
        var rng = RandomGenerator(seed: 20_240_611)
        let (train, trainLabels) = rows(normals: 1000, anomalies: 20, using: &rng)
        let (test, testLabels) = rows(normals: 300, anomalies: 40, using: &rng)
        var config = IMDADConfiguration(encoder: .mlp(input: featureCount, hidden: [16], representation: 4))
        config.training.epochs = 40
        config.training.batchSize = 64
        config.training.milestones = [30]
        let data = try! LabeledData(features: train, labels: trainLabels)
        let model = try! IMDAD.fit(config, data: data, using: &rng)
        return SyntheticTabular(model: model, train: train, trainLabels: trainLabels,
                                trainNormals: data.normals, test: test, testLabels: testLabels)
    }()
}

/// A tiny "image" problem: 4 × 4 single-channel images, normals dark, anomalies with a bright
/// 2 × 2 patch in the top-left corner.
struct SyntheticImages: Sendable {
    static let shape = [1, 4, 4]
    var model: IMDAD
    var trainNormals: Tensor
    var test: Tensor
    var testLabels: [Int]

    static let shared: SyntheticImages = {
        var rng = RandomGenerator(seed: 7)
        func make(_ normals: Int, _ anomalies: Int) -> (Tensor, [Int]) {
            var x = [Float]()
            for i in 0..<(normals + anomalies) {
                for p in 0..<16 {
                    var v = 0.2 + 0.05 * rng.normal()
                    if i >= normals && [0, 1, 4, 5].contains(p) { v += 0.6 }
                    x.append(min(1, max(0, v)))
                }
            }
            return (Tensor(shape: [normals + anomalies, 16], scalars: x),
                    [Int](repeating: 0, count: normals) + [Int](repeating: 1, count: anomalies))
        }
        let (train, labels) = make(400, 10)
        let (test, testLabels) = make(100, 10)
        var config = IMDADConfiguration(encoder: .mlp(input: 16, hidden: [16], representation: 4))
        config.training.epochs = 15
        config.training.batchSize = 64
        let data = try! LabeledData(features: train, labels: labels)
        let model = try! IMDAD.fit(config, data: data, using: &rng)
        return SyntheticImages(model: model, trainNormals: data.normals, test: test, testLabels: testLabels)
    }()
}

// MARK: - XML

/// Parses `xml`; returns nil when well-formed, else the parser's error and position.
func xmlError(_ xml: String) -> String? {
    let parser = XMLParser(data: Data(xml.utf8))
    if parser.parse() { return nil }
    return "\(String(describing: parser.parserError)) at line \(parser.lineNumber), column \(parser.columnNumber)"
}

/// The top-level `<svg …>…</svg>` elements of an HTML page (nested viewports stay inside their parent).
func topLevelSVGs(_ html: String) -> [String] {
    var out: [String] = []
    var depth = 0
    var start: String.Index?
    var i = html.startIndex
    while true {
        let open = html[i...].range(of: "<svg")
        let close = html[i...].range(of: "</svg>")
        if let close, open == nil || close.lowerBound < open!.lowerBound {
            depth -= 1
            if depth == 0, let s = start { out.append(String(html[s..<close.upperBound])); start = nil }
            i = close.upperBound
        } else if let open {
            if depth == 0 { start = open.lowerBound }
            depth += 1
            i = open.upperBound
        } else {
            break
        }
    }
    return out
}

// MARK: - PNG decoding (screenshots)

/// An 8-bit, non-interlaced PNG decoded to RGBA (enough for Chromium screenshots).
struct DecodedScreenshot {
    var width: Int, height: Int
    var rgba: [UInt8]

    /// Number of distinct colours (capped at `cap`).
    func distinctColors(cap: Int = 1000) -> Int {
        var seen = Set<UInt32>()
        var i = 0
        while i + 3 < rgba.count && seen.count < cap {
            seen.insert(UInt32(rgba[i]) << 24 | UInt32(rgba[i + 1]) << 16 | UInt32(rgba[i + 2]) << 8 | UInt32(rgba[i + 3]))
            i += 4 * 7  // sample every 7th pixel: plenty for "not blank"
        }
        return seen.count
    }

    /// Fraction of sampled pixels that differ from the most common colour.
    var nonBackgroundFraction: Double {
        var counts: [UInt32: Int] = [:]
        var n = 0
        var i = 0
        while i + 3 < rgba.count {
            counts[UInt32(rgba[i]) << 16 | UInt32(rgba[i + 1]) << 8 | UInt32(rgba[i + 2]), default: 0] += 1
            n += 1
            i += 4 * 5
        }
        return 1 - Double(counts.values.max() ?? n) / Double(max(n, 1))
    }
}

enum ScreenshotError: Error { case bad(String) }

func decodeScreenshot(_ data: Data) throws -> DecodedScreenshot {
    let png: DecodedPNG
    do { png = try decodePNG(data) } catch { throw ScreenshotError.bad("unreadable PNG: \(error)") }
    guard let bpp = [0: 1, 2: 3, 4: 2, 6: 4][png.colorType] else { throw ScreenshotError.bad("colour type \(png.colorType)") }
    var rgba = [UInt8](repeating: 255, count: png.width * png.height * 4)
    for p in 0..<(png.width * png.height) {
        let s = p * bpp, o = p * 4
        switch png.colorType {
        case 0: rgba[o] = png.pixels[s]; rgba[o + 1] = png.pixels[s]; rgba[o + 2] = png.pixels[s]
        case 4: rgba[o] = png.pixels[s]; rgba[o + 1] = png.pixels[s]; rgba[o + 2] = png.pixels[s]; rgba[o + 3] = png.pixels[s + 1]
        case 2: rgba[o] = png.pixels[s]; rgba[o + 1] = png.pixels[s + 1]; rgba[o + 2] = png.pixels[s + 2]
        default: rgba[o] = png.pixels[s]; rgba[o + 1] = png.pixels[s + 1]; rgba[o + 2] = png.pixels[s + 2]; rgba[o + 3] = png.pixels[s + 3]
        }
    }
    return DecodedScreenshot(width: png.width, height: png.height, rgba: rgba)
}
