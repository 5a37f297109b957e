import XCTest
import Foundation
import IMDADEngine
import IMDADDetectors
import IMDADCharts
import IMDADTestSupport
@testable import IMDADReports

/// The HTML report: its numbers equal the library's, its markup is well-formed and self-contained,
/// and it stays small for large data sets.
final class HTMLReportTests: XCTestCase {
    let fx = SyntheticTabular.shared

    /// With IMDAD_REPORT_DUMP=<folder>, the reports built here are written there for a look.
    func dump(_ html: String, _ name: String) {
        guard let dir = ProcessInfo.processInfo.environment["IMDAD_REPORT_DUMP"] else { return }
        try? html.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }

    func labeledData() -> ReportData {
        ReportData(features: fx.test, labels: fx.testLabels, featureNames: SyntheticTabular.names,
                   training: fx.trainNormals, name: "synthetic test")
    }

    func testSummaryNumbersEqualTheModel() throws {
        var options = ReportOptions()
        options.topK = 5
        let (html, s) = try HTMLReport.buildWithSummary(model: fx.model, data: labeledData(), options: options)
        let model = fx.model, sphere = model.sphere
        XCTAssertEqual(s.scores, model.scores(fx.test))
        XCTAssertEqual(s.labels, fx.testLabels)
        XCTAssertEqual(s.sphere.center, sphere.center)
        XCTAssertEqual(s.sphere.radiusSquared, sphere.radiusSquared)
        XCTAssertEqual(s.sphere.radius, sphere.radius)
        XCTAssertEqual(s.sphere.marginSquared, sphere.marginSquared)
        XCTAssertEqual(s.sphere.relativeMargin, sphere.relativeMargin)
        XCTAssertEqual(s.sphere.nu, model.configuration.nu)
        XCTAssertEqual(s.trainingLog, model.log)
        let zones = model.zones(fx.test)
        XCTAssertEqual(s.zones.inside, zones.filter { $0 == .inside }.count)
        XCTAssertEqual(s.zones.marginBand, zones.filter { $0 == .marginBand }.count)
        XCTAssertEqual(s.zones.outside, zones.filter { $0 == .outside }.count)
        let trainZones = model.zones(fx.trainNormals)
        XCTAssertEqual(s.trainingZones?.flaggedFraction, Double(trainZones.filter { $0 != .inside }.count) / 1000)
        // Detection metrics.
        let ds = s.scores.map(Double.init)
        let e = try XCTUnwrap(s.evaluation)
        XCTAssertEqual(e.auroc, try Metrics.auroc(scores: ds, labels: fx.testLabels))
        XCTAssertEqual(e.averagePrecision, try Metrics.averagePrecision(scores: ds, labels: fx.testLabels))
        XCTAssertEqual(e.confusion, try Metrics.confusion(predictions: model.predict(fx.test), labels: fx.testLabels))
        XCTAssertEqual(e.fpr, try Metrics.rocCurve(scores: ds, labels: fx.testLabels).map(\.fpr))
        // 2-D view: y = ‖φ − c‖, x = (φ − c)·u₁ with a unit u₁.
        let phi = model.representations(fx.test)
        for i in [0, 17, 333] {
            let row = phi.scalars[(i * 4)..<((i + 1) * 4)]
            XCTAssertEqual(s.distance[i], sphere.distanceSquared(row).squareRoot())
            let p = zip(row, zip(sphere.center, s.principalDirection)).reduce(0.0) { $0 + Double($1.0 - $1.1.0) * Double($1.1.1) }
            XCTAssertEqual(Double(s.projection[i]), p, accuracy: 1e-5)
        }
        XCTAssertEqual(s.principalDirection.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-4)
        // Top-k: the highest scores, explained exactly as the Explainer does.
        let order = s.scores.indices.sorted { s.scores[$0] > s.scores[$1] }
        XCTAssertEqual(s.topAnomalies.map(\.sample), Array(order.prefix(5)))
        let direct = try Explainer(model: model, training: fx.trainNormals, featureNames: SyntheticTabular.names)
            .explain(fx.test, rows: Array(order.prefix(5)))
        XCTAssertEqual(s.topAnomalies.map(\.score), order.prefix(5).map { model.scores(fx.test)[$0] })
        XCTAssertEqual(s.topAnomalies.map(\.score), direct.map(\.score))
        XCTAssertEqual(s.topAnomalies.map { $0.attributions(.integratedGradients) }, direct.map { $0.attributions(.integratedGradients) })
        XCTAssertEqual(s.topAnomalies.map(\.completenessGap), direct.map(\.completenessGap))
        // Prototype = the Explainer's nearest-normal baseline.
        let proto = try XCTUnwrap(s.prototype)
        XCTAssertEqual(proto.features, direct[0].features.map(\.baselineValue))
        XCTAssertEqual(proto.score, model.scores(fx.trainNormals)[try XCTUnwrap(proto.trainingRow)])
        // The page prints the summary's numbers.
        let F = ReportFormat.self
        for shown in [F.number(sphere.radiusSquared), F.number(sphere.radius), F.number(sphere.relativeMargin),
                      F.number(e.auroc), F.number(e.averagePrecision), F.number(s.topAnomalies[0].score),
                      F.number(s.topAnomalies[0].completenessGap), F.percent(s.trainingZones!.flaggedFraction),
                      F.signed(s.topAnomalies[0].ranked(by: .integratedGradients)[0].integratedGradients)] {
            XCTAssertTrue(html.contains(shown), "page lacks \(shown)")
        }
        for label in ["sphere (R²)", "margin (R² + ρ²)", "AUROC", "Prototype of normality", "gamma (shifted)"] {
            XCTAssertTrue(html.contains(SVGText.escape(label)), "page lacks \(label)")
        }
        // JSON round trip of the summary.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try encoder.encode(s)
        let back = try JSONDecoder().decode(ReportSummary.self, from: json)
        XCTAssertEqual(try encoder.encode(back), json)
        XCTAssertEqual(back.scores, s.scores)
        XCTAssertEqual(back.sphere, s.sphere)
        XCTAssertEqual(back.topAnomalies, s.topAnomalies)
        XCTAssertEqual(back.evaluation, s.evaluation)
        XCTAssertEqual(back.prototype, s.prototype)
    }

    func testPageIsWellFormedAndSelfContained() throws {
        let html = try HTMLReport.build(model: fx.model, data: labeledData())
        dump(html, "synthetic-tabular.html")
        XCTAssertNil(xmlError(html), "the page is not well-formed XML")
        let svgs = topLevelSVGs(html)
        XCTAssertGreaterThanOrEqual(svgs.count, 2 * 6, "wide and narrow renderings of every chart")
        for (i, svg) in svgs.enumerated() {
            XCTAssertNil(xmlError(svg), "SVG \(i) is not well-formed")
            for bad in ["NaN", "Infinity"] { XCTAssertFalse(svg.contains(bad), "SVG \(i) contains \(bad)") }
        }
        XCTAssertFalse(html.lowercased().contains("<script"))
        XCTAssertFalse(html.contains("<link"))
        let external = html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
        XCTAssertFalse(external.contains("http://") || external.contains("https://") || external.contains("url("),
                       "the page refers to something outside itself")
        XCTAssertTrue(html.contains("name=\"viewport\""))
        XCTAssertTrue(html.contains("class=\"scroll\""))
        for id in ["sphere", "scores", "detection", "representation", "training", "anomalies", "prototype"] {
            XCTAssertTrue(html.contains("<section id=\"\(id)\">"), id)
        }
    }

    func testUnlabeledDataHasNoDetectionSection() throws {
        let data = ReportData(features: fx.test, training: fx.trainNormals, name: "unlabeled")
        let (html, s) = try HTMLReport.buildWithSummary(model: fx.model, data: data)
        XCTAssertNil(s.evaluation)
        XCTAssertFalse(html.contains("id=\"detection\""))
        XCTAssertTrue(html.contains("all samples (340)"))
        XCTAssertNil(xmlError(html))
        // Without training data: zeros baseline, no prototype.
        let bare = try ReportSummary(model: fx.model, data: ReportData(features: fx.test))
        XCTAssertEqual(bare.baseline, .zeros)
        XCTAssertNil(bare.prototype)
        XCTAssertNil(bare.trainingZones)
    }

    func testImageReportShowsHeatMapsAndPrototypeImage() throws {
        let im = SyntheticImages.shared
        var options = ReportOptions()
        options.topK = 3
        let (html, s) = try HTMLReport.buildWithSummary(
            model: im.model, data: ReportData(features: im.test, labels: im.testLabels, imageShape: SyntheticImages.shape,
                                              training: im.trainNormals, name: "4×4 images"), options: options)
        dump(html, "synthetic-images.html")
        XCTAssertEqual(s.featureNames[5], "pixel (1, 1)")
        XCTAssertNil(xmlError(html))
        XCTAssertTrue(html.contains("Integrated gradients of row"))
        XCTAssertTrue(html.contains("<img class=\"pixel\""))
        XCTAssertGreaterThanOrEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 3 * 2 * 2 + 1)
        XCTAssertThrowsError(try HTMLReport.build(model: im.model, data: ReportData(features: im.test, imageShape: [1, 28, 28]))) {
            XCTAssertEqual($0 as? ReportError, .imageShapeMismatch(shape: [1, 28, 28], features: 16))
        }
    }

    /// The MNIST LeNet encoder end to end: 784 inputs, image shape [1, 28, 28] (1 epoch on random
    /// data; checks the plumbing of conv nets through the attributions and the heat maps).
    func testMNISTShapedModelReport() throws {
        var rng = RandomGenerator(seed: 11)
        let n = 48
        let x = Tensor(shape: [n, 784], scalars: (0..<(n * 784)).map { _ in rng.nextUnitFloat() * 0.3 })
        let labels = (0..<n).map { $0 < 44 ? 0 : 1 }
        var config = IMDADConfiguration(encoder: .mnistLeNet)
        config.training.epochs = 1
        config.training.batchSize = 16
        let model = try IMDAD.fit(config, data: try LabeledData(features: x, labels: labels), using: &rng)
        var options = ReportOptions()
        options.topK = 2
        options.steps = 8
        let start = Date()
        let (html, s) = try HTMLReport.buildWithSummary(model: model, data: ReportData(
            features: x, labels: labels, imageShape: [1, 28, 28], training: x.rows(0..<44), name: "MNIST-shaped"), options: options)
        let seconds = Date().timeIntervalSince(start)
        print("MNIST-shaped report (48 samples, top 2, 8 IG steps): \(String(format: "%.2f", seconds)) s, \(html.utf8.count) bytes")
        XCTAssertEqual(s.scores, model.scores(x))
        XCTAssertEqual(s.topAnomalies.count, 2)
        XCTAssertEqual(s.featureNames[29], "pixel (1, 1)")
        XCTAssertNil(xmlError(html))
        let png = try decodeScreenshot(try attributionHeatMapPNG(s.topAnomalies[0], imageShape: [1, 28, 28], scale: 8))
        XCTAssertEqual(png.width, 224)
        for e in s.topAnomalies { XCTAssertLessThan(e.relativeCompletenessGap, 0.25) }
    }

    func testInvalidInput() {
        XCTAssertThrowsError(try HTMLReport.build(model: fx.model, data: ReportData(features: Tensor(shape: [0, 8])))) {
            XCTAssertEqual($0 as? ReportError, .emptyData)
        }
        XCTAssertThrowsError(try HTMLReport.build(model: fx.model, data: ReportData(features: fx.test, labels: [1, 0]))) {
            XCTAssertEqual($0 as? ReportError, .labelCount(labels: 2, rows: fx.test.shape[0]))
        }
        XCTAssertThrowsError(try HTMLReport.build(model: fx.model, data: ReportData(features: Tensor(shape: [3, 5])))) {
            XCTAssertEqual($0 as? ReportError, .featureMismatch(expected: 8, found: 5))
        }
    }

    /// 10,000 samples: prints build time and size; asserts the size (< 5 MB) only, timing is noisy.
    func testLargeReportSizeAndTime() throws {
        var rng = RandomGenerator(seed: 3)
        let (x, labels) = SyntheticTabular.rows(normals: 9_800, anomalies: 200, using: &rng)
        let data = ReportData(features: x, labels: labels, featureNames: SyntheticTabular.names,
                              training: fx.trainNormals, name: "10k samples")
        let start = Date()
        let html = try HTMLReport.build(model: fx.model, data: data)
        let seconds = Date().timeIntervalSince(start)
        let bytes = html.utf8.count
        let megabytes = String(format: "%.2f", Double(bytes) / 1e6)
        print("10,000-sample report: \(String(format: "%.2f", seconds)) s, \(bytes) bytes (\(megabytes) MB)")
        XCTAssertLessThan(bytes, 5_000_000)
        XCTAssertNil(xmlError(html))
    }
}
