import XCTest
import Foundation
import IMDADCharts
import IMDADTestSupport
@testable import IMDADReports

/// Renders the report in a real browser (headless Chromium) at 1200 px and 380 px.
///
/// Checks, per width:
///   * the screenshot is a PNG of the requested width that is not blank (many colours, and a
///     real share of non-background pixels);
///   * layout (measured in the browser on a *test copy* of the page with a checking script
///     appended; the report itself has no scripts, and the DOM is read back with `--dump-dom`):
///     the page does not scroll horizontally, no section, figure, card, stat box, table box or
///     visible chart sticks out of the viewport, no text block (p, h1–h3, figcaption, stats)
///     overflows its box outside the horizontally scrolling table boxes, the charts at 380 px
///     are the narrow renderings (not scaled below 70 % of their drawn size), and the narrow
///     charts are hidden at 1200 px.
///
/// Needs `chromium` on the PATH (Debian: `apt-get install -y chromium`). Without it the test
/// fails, unless `IMDAD_SKIP_BROWSER=1` is set (then it is skipped).
final class ReportBrowserTests: XCTestCase {
    static let longName = "a_really_long_feature_name_without_any_spaces_that_could_push_the_page_wider_than_the_phone"

    /// The browser's path; nil (after recording a failure) when it is missing.
    func chromium() throws -> String? {
        let candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in candidates {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        if ProcessInfo.processInfo.environment["IMDAD_SKIP_BROWSER"] == "1" {
            throw XCTSkip("chromium is not installed and IMDAD_SKIP_BROWSER=1")
        }
        XCTFail("chromium is not installed: the real-browser check of the HTML report needs it. "
                + "Install it (Debian/Ubuntu: apt-get install -y chromium) or set IMDAD_SKIP_BROWSER=1 to skip this test.")
        return nil
    }

    /// Runs `executable` with `arguments`; returns its exit status and stdout (captured in a file,
    /// stderr discarded). Kills it after `timeout` seconds.
    func run(_ executable: String, _ arguments: [String], in dir: URL, timeout: TimeInterval = 90) throws -> (status: Int32, stdout: Data) {
        let outURL = dir.appendingPathComponent("stdout-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        defer { try? out.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if p.isRunning { p.terminate(); XCTFail("\(executable) timed out after \(timeout) s") }
        p.waitUntilExit()
        return (p.terminationStatus, try Data(contentsOf: outURL))
    }

    static let layoutCheck = """
    <script>(function(){
      var W = document.documentElement.clientWidth, problems = [];
      if (document.documentElement.scrollWidth > W + 1) problems.push('page is ' + document.documentElement.scrollWidth + ' px wide');
      document.querySelectorAll('section,figure,.card,.stat,.scroll,nav,header,h1,h2,h3,p,figcaption,.stats').forEach(function(el){
        var r = el.getBoundingClientRect();
        if (r.width > 0 && (r.right > W + 1 || r.left < -1))\
     problems.push(el.tagName + '.' + el.className + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right));
        if (el.closest('.scroll') == null && !el.classList.contains('scroll') && el.scrollWidth > el.clientWidth + 1)
          problems.push(el.tagName + '.' + el.className + ' overflows its box: ' + el.scrollWidth + ' > ' + el.clientWidth\
     + ' "' + (el.textContent || '').slice(0, 40) + '"');
      });
      var visible = 0, narrowVisible = 0, minScale = 99;
      document.querySelectorAll('figure > div > svg').forEach(function(svg){
        var r = svg.getBoundingClientRect();
        if (r.width == 0) return;
        visible++;
        if (svg.parentElement.classList.contains('narrow')) narrowVisible++;
        var s = r.width / svg.viewBox.baseVal.width; if (s < minScale) minScale = s;
        if (r.right > W + 1) problems.push('chart extends to ' + Math.round(r.right));
      });
      var target = window.parent !== window ? window.parent.document : document;
      var pre = target.createElement('pre'); pre.id = 'layout-check';
      pre.textContent = 'LAYOUT' + JSON.stringify({width: W, visibleCharts: visible, narrowCharts: narrowVisible,
                                                    minScale: minScale, problems: problems}) + 'END';
      target.body.appendChild(pre);
    })();</script>
    """

    struct Layout: Decodable { var width: Int; var visibleCharts: Int; var narrowCharts: Int; var minScale: Double; var problems: [String] }

    func testReportRendersInChromiumAtDesktopAndPhoneWidths() throws {
        guard let browser = try chromium() else { return }
        let fx = SyntheticTabular.shared
        var names = SyntheticTabular.names
        names[2] = Self.longName
        var options = ReportOptions()
        options.topK = 4
        let html = try HTMLReport.build(model: fx.model, data: ReportData(
            features: fx.test, labels: fx.testLabels, featureNames: names, training: fx.trainNormals,
            name: "synthetic test split with a long name"), options: options)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        // Headless Chromium lays out --dump-dom pages at least 500 px wide whatever --window-size
        // says, so the checked copy runs inside an iframe of exactly the tested width (a srcdoc
        // iframe: same origin, so its script can report into the dumped parent document).
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                      "--no-first-run", "--user-data-dir=\(dir.appendingPathComponent("profile").path)"]
        func checkedPage(_ width: Int, html: String = html) throws -> URL {
            let checkedHTML = html.replacingOccurrences(of: "</body>", with: Self.layoutCheck + "</body>")
                .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            let url = dir.appendingPathComponent("report-checked-\(width)-\(UUID().uuidString).html")
            try ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"/></head><body style=\"margin:0\">"
                 + "<iframe style=\"width:\(width)px;height:3000px;border:0;display:block\" srcdoc=\"\(checkedHTML)\"></iframe>"
                 + "</body></html>").write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        func layout(_ page: URL, width: Int) throws -> Layout? {
            let dom = try run(browser, common + ["--dump-dom", "--window-size=\(max(width, 600) + 100),3100", page.absoluteString], in: dir)
            let text = String(decoding: dom.stdout, as: UTF8.self)
            guard let a = text.range(of: "id=\"layout-check\">LAYOUT"),
                  let b = text.range(of: "END</pre>", range: a.upperBound..<text.endIndex) else {
                XCTFail("no layout result in the dumped DOM at \(width) px (\(text.count) characters)")
                return nil
            }
            let json = String(text[a.upperBound..<b.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&")
            print("layout \(width) px: \(json)")
            return try JSONDecoder().decode(Layout.self, from: Data(json.utf8))
        }
        for width in [1200, 380] {
            let shot = dir.appendingPathComponent("shot-\(width).png")
            let r = try run(browser, common + ["--screenshot=\(shot.path)", "--window-size=\(width),3000", page.absoluteString], in: dir)
            XCTAssertEqual(r.status, 0, "chromium --screenshot failed at \(width) px")
            let png = try decodeScreenshot(Data(contentsOf: shot))
            if let keep = ProcessInfo.processInfo.environment["IMDAD_REPORT_DUMP"] {
                try? FileManager.default.copyItem(atPath: shot.path, toPath: keep + "/screenshot-\(width).png")
            }
            let colors = png.distinctColors(), ink = png.nonBackgroundFraction
            let percent = String(format: "%.1f", 100 * ink)
            print("screenshot \(width) px: \(png.width)×\(png.height), \(colors) colours sampled, \(percent) % non-background")
            XCTAssertEqual(png.width, width)
            XCTAssertGreaterThan(colors, 20, "the \(width) px screenshot is blank")
            XCTAssertGreaterThan(ink, 0.05, "the \(width) px screenshot is almost blank")

            guard let layout = try layout(try checkedPage(width), width: width) else { continue }
            XCTAssertEqual(layout.width, width, "viewport width")
            XCTAssertEqual(layout.problems, [], "layout problems at \(width) px")
            XCTAssertGreaterThan(layout.visibleCharts, 5)
            XCTAssertGreaterThanOrEqual(layout.minScale, 0.7, "charts scaled down below 70 % at \(width) px")
            if width < ReportStyle.narrowBreakpoint {
                XCTAssertEqual(layout.narrowCharts, layout.visibleCharts, "narrow charts at \(width) px")
            } else {
                XCTAssertEqual(layout.narrowCharts, 0, "wide charts at \(width) px")
            }
        }
        // Negative control: the checker does see an unbreakable line.
        let broken = html.replacingOccurrences(of: "<main>", with: "<main><p style=\"white-space:nowrap\">"
                                               + String(repeating: "overflowing text ", count: 40) + "</p>")
        if let bad = try layout(try checkedPage(380, html: broken), width: 380) {
            XCTAssertFalse(bad.problems.isEmpty, "the layout check missed a deliberate overflow")
        }
    }
}
