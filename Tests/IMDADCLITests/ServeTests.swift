// `imdad serve` as a process on a free loopback port: answers equal `imdad score` / `imdad explain`,
// every kind of bad request gets a 4xx with a JSON error and the server keeps serving, and SIGTERM
// lets a request in flight finish. Every wait is bounded.

import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class ServeTests: CLITestCase {
    var server: Process?
    var port = 0

    override func tearDownWithError() throws {
        if let server, server.isRunning {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        try super.tearDownWithError()
    }

    /// A CSV of `rows` rows: an `id` column, the model's features f0…f2 and its `label`.
    func rowsCSV(_ rows: Int) -> String {
        let lines = labeledCSV(rows: rows).split(separator: "\n")
        return "id," + lines[0] + "\n" + lines.dropFirst().enumerated().map { "tx\($0.offset + 1)," + $0.element }.joined(separator: "\n")
            + "\n"
    }

    /// The same rows as JSON objects (keys in another order than the CSV's columns).
    func rowsJSON(_ csv: String) -> String {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = lines[0]
        let objects = lines.dropFirst().map { cells in
            "{"
                + zip(header, cells).reversed().map { name, v in name == "id" ? "\"id\":\"\(v)\"" : "\"\(name)\":\(v)" }
                .joined(separator: ",") + "}"
        }
        return "{\"rows\":[" + objects.joined(separator: ",") + "]}"
    }

    /// Starts `imdad serve` on port 0 and reads the bound port from its first line (≤ 60 s).
    func startServer(_ extra: [String] = []) throws {
        let model = try trainSmallModel()
        let (p, _, err) = try start(
            [
                "serve", model, "--port", "0", "--max-body-bytes", "65536", "--max-rows", "100",
                "--max-explain-rows", "30",
            ] + extra)
        server = p
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
            if let r = text.range(of: #"http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[r].split(separator: ":").last ?? "") ?? 0
                return
            }
            XCTAssertTrue(p.isRunning, "imdad serve exited: \(text)")
            if !p.isRunning { throw MissingExecutable(description: "imdad serve exited: \(text)") }
            usleep(50_000)
        }
        throw MissingExecutable(description: "imdad serve did not print its port within 60 s")
    }

    struct HTTPAnswer {
        var status: Int
        var body: String
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
        var error: [String: Any]? { json?["error"] as? [String: Any] }
    }

    /// A connected loopback socket (30 s receive timeout).
    func connectSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MissingExecutable(description: "socket() failed") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw MissingExecutable(description: "connect to 127.0.0.1:\(port) failed") }
        return fd
    }

    func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            done += n
        }
    }

    /// Reads to the end of the connection and parses the status line and body.
    func receive(_ fd: Int32) -> HTTPAnswer {
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            data += buf[0..<n]
        }
        close(fd)
        guard let split = data.range(of: Array("\r\n\r\n".utf8)) else {
            return HTTPAnswer(status: 0, body: String(decoding: data, as: UTF8.self))
        }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return HTTPAnswer(status: status, body: String(decoding: data[split.upperBound...], as: UTF8.self))
    }

    func head(_ method: String, _ path: String, contentType: String?, length: Int) -> [UInt8] {
        var h = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(length)\r\n"
        if let contentType { h += "Content-Type: \(contentType)\r\n" }
        return Array((h + "\r\n").utf8)
    }

    func request(_ method: String, _ path: String, _ body: [UInt8] = [], contentType: String? = nil) throws -> HTTPAnswer {
        let fd = try connectSocket()
        sendAll(fd, head(method, path, contentType: contentType, length: body.count) + body)
        return receive(fd)
    }

    func post(_ path: String, _ body: String, _ contentType: String? = "application/json") throws -> HTTPAnswer {
        try request("POST", path, Array(body.utf8), contentType: contentType)
    }

    // MARK: tests

    func testScoresAndExplanationsEqualTheCommands() throws {
        try startServer()
        let csv = rowsCSV(25)
        try write("rows.csv", csv)
        let cli = try imdad("score", "model.imdad", "rows.csv", "--id-column", "id", "--format", "json")
        XCTAssertEqual(cli.status, 0, cli.stderr)
        let byCSV = try post("/v1/score?id_column=id", csv, "text/csv")
        XCTAssertEqual(byCSV.status, 200, byCSV.body)
        XCTAssertEqual(byCSV.body, cli.stdout, "POST /v1/score (CSV) differs from imdad score --format json")
        let byJSON = try post("/v1/score?id_column=id", rowsJSON(csv))
        XCTAssertEqual(byJSON.status, 200, byJSON.body)
        XCTAssertEqual(byJSON.body, cli.stdout, "POST /v1/score (JSON, keys reordered) differs from imdad score --format json")
        // Rows keyed by exactly the features (the service's direct path), 25 and then one (a small
        // padded batch where that gives the same scores): the command's output on the same rows.
        let featuresOnly = csv.split(separator: "\n").map { $0.split(separator: ",").dropFirst().dropLast().joined(separator: ",") }
        for count in [25, 1] {
            let plainCSV = featuresOnly.prefix(count + 1).joined(separator: "\n") + "\n"
            try write("plain.csv", plainCSV)
            let plainCLI = try imdad("score", "model.imdad", "plain.csv", "--format", "json")
            XCTAssertEqual(plainCLI.status, 0, plainCLI.stderr)
            let plain = try post("/v1/score", rowsJSON(plainCSV))
            XCTAssertEqual(plain.body, plainCLI.stdout, "POST /v1/score (\(count) plain JSON rows) differs from imdad score")
        }
        let rows = try XCTUnwrap(byJSON.json?["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 25)
        XCTAssertEqual(rows[3]["id"] as? String, "tx4")
        for key in ["score", "percentile", "zone", "prediction"] { XCTAssertNotNil(rows[0][key], key) }

        let explain = try imdad(
            ["explain", "model.imdad", "rows.csv", "--id-column", "id", "--format", "json", "--rows"] + (1...25).map(String.init))
        XCTAssertEqual(explain.status, 0, explain.stderr)
        let served = try post("/v1/explain?id_column=id", rowsJSON(csv))
        XCTAssertEqual(served.status, 200, served.body)
        XCTAssertEqual(served.body, explain.stdout, "POST /v1/explain differs from imdad explain --format json")
        let top = try post("/v1/explain?id_column=id&top=2", csv, "text/csv")
        let list = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(top.body.utf8))) as? [[String: Any]])
        XCTAssertEqual(list.count, 25)
        let features = try XCTUnwrap(list[0]["features"] as? [[String: Any]])
        XCTAssertEqual(features.map { $0["integratedGradientsRank"] as? Int }, [1, 2])
    }

    func testBadRequestsGetA4xxNamingTheProblemAndTheServerKeepsServing() throws {
        try startServer()
        let good = "f0,f1,f2\n0.1,0.2,0.3\n"
        let cases: [(String, HTTPAnswer, Int, [String])] = [
            ("malformed JSON", try post("/v1/score", "{\"rows\": [{\"f0\": 1,"), 400, ["malformedJSON"]),
            ("JSON NaN", try post("/v1/score", "{\"rows\": [{\"f0\": NaN, \"f1\": 1, \"f2\": 1}]}"), 400, ["malformedJSON"]),
            ("JSON not rows", try post("/v1/score", "{\"rows\": 3}"), 400, ["malformedJSON", "rows"]),
            ("JSON row not an object", try post("/v1/score", "[[1, 2, 3]]"), 400, ["malformedJSON"]),
            ("JSON nested value", try post("/v1/score", "[{\"f0\": [1], \"f1\": 1, \"f2\": 1}]"), 400, ["f0"]),
            (
                "JSON text in a number", try post("/v1/score", "[{\"f0\": \"abc\", \"f1\": 1, \"f2\": 1}]"), 400,
                ["nonNumeric", "row 1", "'f0'"]
            ),
            ("JSON null", try post("/v1/score", "[{\"f0\": null, \"f1\": 1, \"f2\": 1}]"), 400, ["missingValue", "'f0'"]),
            (
                "JSON rows with other keys", try post("/v1/score", "[{\"f0\": 1, \"f1\": 1, \"f2\": 1}, {\"f0\": 1, \"f1\": 1, \"g\": 1}]"),
                400,
                ["row 2", "missing: ['f2']", "unexpected: ['g']"]
            ),
            ("JSON no rows", try post("/v1/score", "{\"rows\": []}"), 400, ["empty"]),
            ("missing column", try post("/v1/score", "[{\"f0\": 1, \"f1\": 1}]"), 422, ["schemaMismatch", "missing: ['f2']"]),
            (
                "unknown column", try post("/v1/score", "[{\"f0\": 1, \"f1\": 1, \"f2\": 1, \"extra\": 2}]"), 422,
                ["unexpected: ['extra']", "id_column"]
            ),
            ("renamed column", try post("/v1/score", "f0,f1,F2\n1,2,3\n", "text/csv"), 422, ["renamed"]),
            ("malformed CSV", try post("/v1/score", "f0,f1,f2\n1,\"2,3\n", "text/csv"), 400, ["request body"]),
            ("ragged CSV", try post("/v1/score", "f0,f1,f2\n1,2,3,4\n", "text/csv"), 400, ["raggedRow", "row 1"]),
            ("CSV NaN", try post("/v1/score", "f0,f1,f2\n1,NaN,3\n", "text/csv"), 400, ["nonFinite", "'f1'"]),
            ("CSV text in a number", try post("/v1/score", "f0,f1,f2\n1,2,abc\n", "text/csv"), 400, ["nonNumeric", "'f2'"]),
            ("CSV header only", try post("/v1/score", "f0,f1,f2\n", "text/csv"), 400, ["empty"]),
            ("empty body", try post("/v1/score", ""), 400, ["empty body"]),
            (
                "wrong content type", try post("/v1/score", good, "application/x-www-form-urlencoded"), 415,
                ["text/csv", "application/json"]
            ),
            ("no content type", try post("/v1/score", good, nil), 415, ["Content-Type"]),
            (
                "oversized body", try post("/v1/score", good + String(repeating: "0.1,0.2,0.3\n", count: 7000), "text/csv"), 413,
                ["65536 bytes"]
            ),
            (
                "too many rows", try post("/v1/score", good + String(repeating: "0.1,0.2,0.3\n", count: 100), "text/csv"), 413,
                ["at most 100 rows", "101"]
            ),
            (
                "too many rows to explain", try post("/v1/explain", good + String(repeating: "0.1,0.2,0.3\n", count: 30), "text/csv"), 413,
                ["at most 30 rows"]
            ),
            ("bad top", try post("/v1/explain?top=zero", good, "text/csv"), 400, ["top"]),
            ("bad header flag", try post("/v1/score?header=maybe", good, "text/csv"), 400, ["header"]),
            ("unknown id column", try post("/v1/score?id_column=nope", good, "text/csv"), 422, ["nope"]),
            ("unknown route", try request("GET", "/v2/nothing"), 404, ["/v1/score"]),
            ("wrong method", try request("GET", "/v1/score"), 0, []),
            ("WebDAV method", try request("PROPFIND", "/v1/score"), 0, []),
        ]
        for (name, answer, status, mentions) in cases {
            if status == 0 {
                XCTAssertTrue((400..<500).contains(answer.status), "\(name): \(answer.status) \(answer.body)")
            } else {
                XCTAssertEqual(answer.status, status, "\(name): \(answer.body)")
            }
            let error = answer.error
            XCTAssertNotNil(error, "\(name): no JSON error in \(answer.body)")
            let text = answer.body
            for m in mentions { XCTAssertTrue(text.contains(m), "\(name): the error lacks \"\(m)\": \(text)") }
        }
        XCTAssertTrue(server?.isRunning ?? false, "the server died")
        XCTAssertEqual(try request("GET", "/healthz").status, 200)
        XCTAssertEqual(try post("/v1/score", good, "text/csv").status, 200)
        let metrics = try request("GET", "/metrics")
        XCTAssertEqual(metrics.status, 200)
        // HTTP's parser passes methods such as PROPFIND on: they are counted as "other", so clients
        // cannot grow the metrics by choosing methods.
        XCTAssertFalse(metrics.body.contains("PROPFIND"), "a client's method became a metric label")
        XCTAssertTrue(metrics.body.contains("method=\"other\""), "PROPFIND is not counted as other")
        for m in [
            "imdad_http_requests_total{route=\"/v1/score\",method=\"POST\",status=\"413\"}", "imdad_rows_scored_total 1",
            "imdad_http_request_duration_seconds_bucket{route=\"/v1/score\"",
        ] {
            XCTAssertTrue(metrics.body.contains(m), "metrics lack \(m):\n\(metrics.body.prefix(3000))")
        }
        let model = try request("GET", "/v1/model")
        XCTAssertEqual(model.status, 200)
        let doc = try XCTUnwrap(model.json)
        XCTAssertEqual(doc["method"] as? String, "imdad")
        XCTAssertEqual(doc["features"] as? [String], ["f0", "f1", "f2"])
        let sphere = try XCTUnwrap(doc["sphere"] as? [String: Any])
        XCTAssertNotNil(sphere["radius"])
        XCTAssertNotNil(sphere["margin"])
        XCTAssertNotNil(doc["training"] as? [String: Any])
    }

    func testSIGTERMLetsTheRequestInFlightFinish() throws {
        try startServer()
        let body = Array(rowsCSV(20).utf8)
        let fd = try connectSocket()
        sendAll(fd, head("POST", "/v1/score?id_column=id", contentType: "text/csv", length: body.count) + body[..<(body.count / 2)])
        usleep(300_000)
        kill(server!.processIdentifier, SIGTERM)
        usleep(500_000)
        XCTAssertTrue(server!.isRunning, "the server stopped with a request in flight")
        sendAll(fd, Array(body[(body.count / 2)...]))
        let answer = receive(fd)
        XCTAssertEqual(answer.status, 200, answer.body)
        XCTAssertEqual((answer.json?["rows"] as? [Any])?.count, 20)
        let deadline = Date().addingTimeInterval(20)
        while server!.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(server!.isRunning, "imdad serve did not stop within 20 s of SIGTERM")
        if !server!.isRunning { XCTAssertEqual(server!.terminationStatus, 0) }
    }
}
