// Attributions of image inputs as heat maps.

import Foundation
import IMDADCharts

/// Input attributions laid out as an image.
struct AttributionImage {
    let rows: Int, cols: Int
    /// Attribution per pixel, summed over channels: `A(r, c) = Σ_ch a(ch, r, c)`.
    let values: [Float]
    /// The input per pixel, averaged over channels (intensities, clamped to [0, 1] when drawn).
    let grayscale: [Float]

    /// `imageShape` is `[channels, height, width]` (or `[height, width]`), as in
    /// `EncoderArchitecture.imageShape`; its product must be the explanation's feature count.
    init(_ explanation: Explanation, imageShape: [Int], method: AttributionMethod) throws {
        let shape = imageShape.count == 2 ? [1] + imageShape : imageShape
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }), shape.reduce(1, *) == explanation.features.count else {
            throw ReportError.imageShapeMismatch(shape: imageShape, features: explanation.features.count)
        }
        let (ch, h, w) = (shape[0], shape[1], shape[2])
        let a = explanation.attributions(method)
        var v = [Float](repeating: 0, count: h * w), g = [Float](repeating: 0, count: h * w)
        for c in 0..<ch {
            for p in 0..<(h * w) {
                v[p] += a[c * h * w + p]
                g[p] += explanation.features[c * h * w + p].value / Float(ch)
            }
        }
        rows = h; cols = w; values = v; grayscale = g
    }

    /// Symmetric colour range `±max |A|` (a tiny positive range when all are zero).
    var symmetricRange: ClosedRange<Double> {
        let m = Double(values.map { abs($0) }.max() ?? 0)
        return m > 0 && m.isFinite ? -m...m : -1e-12...1e-12
    }
}

/// A PNG of the explanation's attributions over the input image: red raises the score, blue
/// lowers it, with opacity ∝ |A| so that the digit shows through where attribution is small.
/// Channels are summed. `scale` upsamples by pixel replication (8 turns 28×28 into 224×224).
public func attributionHeatMapPNG(_ explanation: Explanation, imageShape: [Int],
                                  method: AttributionMethod = .integratedGradients, scale: Int = 8) throws -> Data {
    let image = try AttributionImage(explanation, imageShape: imageShape, method: method)
    return try heatMapPNG(values: image.values, width: image.cols, height: image.rows, colormap: .diverging,
                          range: image.symmetricRange, scale: scale, overlayOn: image.grayscale, alpha: 0.85,
                          alphaByMagnitude: true)
}
