// `imdad serve`: scores and explanations over HTTP (IMDADServer); this file maps flags to the
// server's configuration.

import ArgumentParser
import Foundation
import IMDADDetectors
import IMDADEngine
import IMDADReports
import IMDADServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve scores and explanations of a trained model over HTTP.",
        discussion: """
            Routes: POST /v1/score and POST /v1/explain (rows as JSON {"rows": [{column: value, …}]} or a CSV body \
            with a header; columns matched to the model's by name, as `imdad score` matches them; ?id_column=NAME \
            carries a column as a row id), GET /v1/model, GET /healthz, GET /metrics (Prometheus text). \
            Answers equal `imdad score --format json` and `imdad explain --format json` for the same rows. \
            Bad requests get a 4xx with a JSON error. SIGTERM or SIGINT stops it after the requests in flight. \
            The routes are described in docs/openapi.yaml; see docs/serve.md.

            Example: imdad serve model.imdad --port 8080
            """)

    @Argument(help: "Model file written by `imdad train`.") var model: String
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Largest request body in bytes.") var maxBodyBytes = ServerConfiguration().maxBodyBytes
    @Option(help: "Most rows per scoring request.") var maxRows = ServerConfiguration().maxRows
    @Option(help: "Most rows per explanation request.") var maxExplainRows = ServerConfiguration().maxExplainRows
    @Option(help: ArgumentHelp("Attribution baseline of explanations: nearest-normal, mean or zeros.")) var baseline: AttributionBaseline =
        .nearestNormal
    @Option(help: "Integrated-gradients steps of explanations.") var steps = 32
    @Option(help: "Threads of each request's matrix products (requests run side by side).") var threads = 1

    func run() async throws {
        let config = ServerConfiguration(
            host: host, port: port, maxBodyBytes: maxBodyBytes, maxRows: maxRows, maxExplainRows: maxExplainRows)
        let server: ScoringServer
        do {
            try config.validate()
        } catch let e as ServeError {
            let flags = [
                ("maxBodyBytes", "--max-body-bytes"), ("maxExplainRows", "--max-explain-rows"), ("maxRows", "--max-rows"),
                ("port", "--port"),
            ]
            throw ValidationError(flags.reduce(e.message) { $0.replacingOccurrences(of: $1.0, with: $1.1) })
        }
        do {
            BLAS.setThreadCount(threads)
            let trained = try TrainedModel.read(contentsOf: URL(fileURLWithPath: model))
            server = try ScoringServer(service: ScoringService(model: trained, baseline: baseline, steps: steps), configuration: config)
        } catch {
            note("error: \(IMDADCLI.message(for: error))")
            throw ExitCode(2)
        }
        let host = self.host, model = self.model
        let batches = server.service.smallBatch.map {
            "requests of up to \($0) rows scored in \($0)-row batches (the same scores as in \(Network.inferenceBatchSize)-row ones, checked)"
        } ?? "every request scored in \(Network.inferenceBatchSize)-row batches"
        try await server.run { port in
            note(
                "imdad serve: \(model) on http://\(host):\(port) "
                    + "(POST /v1/score, POST /v1/explain, GET /v1/model, GET /healthz, GET /metrics); \(batches)"
            )
        }
        note("imdad serve: stopped")
    }
}
