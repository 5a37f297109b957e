// The `imdad` command-line tool: one root command with subcommands.

import ArgumentParser
import IMDADDetectors

@main
struct IMDADCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imdad",
        abstract: "Interpretable maximum-margin deep anomaly detection (IMD-AD) and its baselines.",
        discussion: """
        Train a detector on a CSV or NumPy file with a few labeled anomalies, score new data,
        and see why a sample was flagged.

        Examples:
          imdad demo
          imdad train data.csv --label-column label --output model.imdad
          imdad score model.imdad new.csv --output scores.csv
          imdad serve model.imdad --port 8080
          imdad evaluate --dataset thyroid --seeds 10
          imdad bench engine
        """,
        version: IMDADVersion.library,
        subcommands: [Demo.self, Train.self, Score.self, Export.self, Explain.self, Report.self, Serve.self, Evaluate.self,
                      Images.self, Info.self, Bench.self])
}
