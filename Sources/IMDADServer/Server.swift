// The HTTP service behind `imdad serve`: routes, body and row caps, JSON errors, Prometheus
// metrics, and a graceful stop (Hummingbird 2 in a swift-service-lifecycle service group).
//
//   POST /v1/score    rows (JSON or CSV) → `imdad score --format json`'s output for them
//   POST /v1/explain  rows → `imdad explain --format json`'s output (?top=K: K features each)
//   GET  /v1/model    method, schema, threshold, sphere, training summary
//   GET  /healthz     {"status":"ok"}
//   GET  /metrics     Prometheus text: requests by route and status, latency histograms, rows scored
// The routes are described in docs/openapi.yaml.

import Foundation
import Hummingbird
import IMDADData
import IMDADEngine
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// Where the service listens and what it accepts.
public struct ServerConfiguration: Sendable, Equatable {
    /// The address to bind (loopback unless told otherwise).
    public var host = "127.0.0.1"
    /// The port (0: any free port; the bound one is passed to `onRunning`).
    public var port = 8080
    /// The largest request body accepted, in bytes (larger: 413).
    public var maxBodyBytes = 64 << 20
    /// The most rows one scoring request may carry (more: 413).
    public var maxRows = 100_000
    /// The most rows one explanation request may carry (each costs a gradient pass per integration step).
    public var maxExplainRows = 1_000

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 64 << 20, maxRows: Int = 100_000,
        maxExplainRows: Int = 1_000
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxRows = maxRows
        self.maxExplainRows = maxExplainRows
    }

    /// A parameter out of range, named as in this type.
    public func validate() throws {
        func fail(_ p: String, _ v: Int, _ rule: String) -> ServeError {
            ServeError(status: 0, kind: "configuration", message: "\(p) must be \(rule), got \(v)")
        }
        if !(0...65_535).contains(port) { throw fail("port", port, "in 0…65535") }
        if maxBodyBytes < 1 { throw fail("maxBodyBytes", maxBodyBytes, "at least 1") }
        if maxRows < 1 { throw fail("maxRows", maxRows, "at least 1") }
        if maxExplainRows < 1 { throw fail("maxExplainRows", maxExplainRows, "at least 1") }
    }
}

/// The service: one model, one configuration, its own metrics registry.
public struct ScoringServer: Sendable {
    public let service: ScoringService
    public let configuration: ServerConfiguration
    public let metrics: ServerMetrics
    let logger: Logger

    public init(service: ScoringService, configuration: ServerConfiguration, logger: Logger = Logger(label: "imdad.serve")) throws {
        try configuration.validate()
        self.service = service
        self.configuration = configuration
        self.metrics = ServerMetrics()
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT (or the task is cancelled); requests in flight finish first.
    /// `onRunning` gets the bound port once the server listens.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = application(onRunning: onRunning)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The Hummingbird application (a `Service`, for callers with their own service group).
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorAndMetricsMiddleware(metrics: metrics, logger: logger))
        let handlers = Handlers(service: service, configuration: configuration, metrics: metrics)
        router.post("/v1/score") { request, _ in try await handlers.score(request) }
        router.post("/v1/explain") { request, _ in try await handlers.explain(request) }
        router.get("/v1/model") { _, _ in Handlers.json(handlers.service.modelDocument) }
        router.get("/healthz") { _, _ in Handlers.json(Array("{\"status\":\"ok\"}\n".utf8)) }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: handlers.metrics.registry.emitToBuffer())))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "imdad"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

/// The route handlers.
struct Handlers: Sendable {
    let service: ScoringService
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The request's rows, read against the model's schema under the caps.
    func rows(_ request: Request, maxRows: Int) async throws -> TabularFile {
        let format = try RequestRows.BodyFormat(contentType: request.headers[.contentType])
        let cap = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > cap { throw Self.tooLarge(length, cap) }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: cap) } catch is NIOTooManyBytesError { throw Self.tooLarge(nil, cap) }
        let q = request.uri.queryParameters
        var options = RowReadOptions(
            idColumns: q[values: "id_column"].map(String.init), ignoredColumns: q[values: "ignore_column"].map(String.init),
            maxRows: maxRows)
        if let h = q["header"] {
            guard let v = Bool(String(h).lowercased()) else {
                throw ServeError.badRequest("badParameter", "query parameter header: expected true or false, found '\(h)'")
            }
            options.csvHeader = v
        }
        return try RequestRows.read(Array(buffer: body), format: format, schema: service.model.metadata.effectiveSchema, options: options)
    }

    static func tooLarge(_ length: Int?, _ cap: Int) -> ServeError {
        ServeError(
            status: 413, kind: "bodyTooLarge",
            message: "\(RequestRows.source): expected at most \(cap) bytes, found \(length.map { "\($0)" } ?? "more")",
            expected: "at most \(cap) bytes", found: length.map { "\($0) bytes" } ?? "more", hint: "split the rows over several requests")
    }

    func score(_ request: Request) async throws -> Response {
        let file = try await rows(request, maxRows: configuration.maxRows)
        let body = try service.score(file)
        metrics.rowsScored.increment(by: Int64(file.data.rows))
        return Self.json(body)
    }

    func explain(_ request: Request) async throws -> Response {
        var top: Int?
        if let t = request.uri.queryParameters["top"] {
            guard let k = Int(String(t)), k >= 1 else {
                throw ServeError.badRequest("badParameter", "query parameter top: expected a whole number ≥ 1, found '\(t)'")
            }
            top = k
        }
        let file = try await rows(request, maxRows: configuration.maxExplainRows)
        let body = try service.explain(file, top: top)
        metrics.rowsExplained.increment(by: Int64(file.data.rows))
        return Self.json(body)
    }
}

/// The service's metrics, in a registry of its own (two servers in one process do not mix).
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let rowsScored: Counter
    let rowsExplained: Counter
    /// Latency buckets in seconds: 0.5 ms … 10 s.
    static let buckets: [Duration] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10].map {
        .nanoseconds(Int64($0 * 1e9))
    }
    static let routes: Set<String> = ["/v1/score", "/v1/explain", "/v1/model", "/healthz", "/metrics"]
    /// HTTP's methods; any other a client sends is counted as "other" (a client choosing methods
    /// must not grow the metrics without bound).
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]

    init() {
        rowsScored = registry.makeCounter(name: "imdad_rows_scored_total", help: "Rows scored by POST /v1/score.")
        rowsExplained = registry.makeCounter(name: "imdad_rows_explained_total", help: "Rows explained by POST /v1/explain.")
    }

    /// The counter and histogram of each route, method and status seen, made once: asking the
    /// registry for them per request (labels built, looked up under its lock) was a visible share of
    /// a one-row request.
    private let series = SeriesCache()

    func record(route: String, method: String, status: Int, seconds: Duration) {
        let route = Self.routes.contains(route) ? route : "other"
        let method = Self.methods.contains(method) ? method : "other"
        let key = SeriesCache.Key(route: route, method: method, status: status)
        let (requests, latency) = series.get(key) {
            let labels = [("route", route), ("method", method), ("status", "\(status)")]
            return (
                registry.makeCounter(name: "imdad_http_requests_total", labels: labels, help: "HTTP requests by route, method and status."),
                registry.makeDurationHistogram(
                    name: "imdad_http_request_duration_seconds", labels: [("route", route)], buckets: Self.buckets,
                    help: "Time from request to response, by route.")
            )
        }
        requests.increment()
        latency.record(seconds)
    }
}

/// Metric objects by route, method and status, under a lock.
final class SeriesCache: @unchecked Sendable {
    struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
    }
    private var series: [Key: (Counter, DurationHistogram)] = [:]
    private let lock = NSLock()

    func get(_ key: Key, make: () -> (Counter, DurationHistogram)) -> (Counter, DurationHistogram) {
        lock.lock()
        defer { lock.unlock() }
        if let s = series[key] { return s }
        let s = make()
        series[key] = s
        return s
    }
}

/// Turns every error into a JSON answer (4xx for the request's faults; a 500 names no internals)
/// and records each request's route, status and latency.
struct ErrorAndMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let e as ServeError {
            response = Handlers.json(e.json, status: .init(code: e.status))
        } catch let e as any HTTPResponseError {
            let status = e.status
            let message =
                status == .notFound
                ? "no route \(request.method) \(request.uri.path); the routes are POST /v1/score, "
                    + "POST /v1/explain, GET /v1/model, GET /healthz, GET /metrics" : "\(status.reasonPhrase)"
            let kind = status == .notFound ? "notFound" : status == .methodNotAllowed ? "methodNotAllowed" : "http\(status.code)"
            response = Handlers.json(ServeError(status: status.code, kind: kind, message: message).json, status: status)
        } catch {
            logger.error("request failed: \(error)")
            let e = ServeError(status: 500, kind: "internal", message: "the request failed inside the service")
            response = Handlers.json(e.json, status: .internalServerError)
        }
        metrics.record(
            route: context.endpointPath ?? "other", method: request.method.rawValue, status: response.status.code,
            seconds: ContinuousClock.now - start)
        return response
    }
}
