// Progress lines for long work: shown on a terminal (stderr), silent in pipes.

import Foundation
import IMDADData
import IMDADDetectors
import IMDADExperiments

/// Prints one updating line per epoch on a terminal: epoch (autoencoder pretraining first, if
/// any), loss, R², active hinges, time left.
struct ProgressPrinter {
    let label: String
    let totalEpochs: Int
    let pretrainingEpochs: Int
    let enabled: Bool
    private let start = Date()

    init(label: String, totalEpochs: Int, pretrainingEpochs: Int = 0, quiet: Bool = false) {
        self.label = label
        self.totalEpochs = totalEpochs
        self.pretrainingEpochs = pretrainingEpochs
        self.enabled = !quiet && isatty(STDERR_FILENO) != 0
    }

    func callAsFunction(_ e: EpochLog) {
        guard enabled else { return }
        let pretraining = e.values[pretrainingLogKey] != nil
        let done = e.epoch + (pretraining ? 0 : pretrainingEpochs)
        let elapsed = Date().timeIntervalSince(start)
        let left = elapsed / Double(done) * Double(pretrainingEpochs + totalEpochs - done)
        var line = pretraining
            ? "\(label) autoencoder epoch \(e.epoch)/\(pretrainingEpochs)  reconstruction \(Format.fixed(e.loss, digits: 4))"
            : "\(label) epoch \(e.epoch)/\(totalEpochs)  loss \(Format.fixed(e.loss, digits: 4))"
        if let r2 = e.values["R²"] { line += "  R² \(Format.fixed(r2, digits: 4))" }
        if let a = e.values["active normal"] { line += "  active hinges: normal \(Format.fixed(100 * a, digits: 1))%" }
        if let a = e.values["active anomalous"] { line += " anomalous \(Format.fixed(100 * a, digits: 1))%" }
        line += "  \(Format.fixed(elapsed, digits: 1))s, ~\(Format.fixed(left, digits: 0))s left"
        let end = !pretraining && e.epoch == totalEpochs ? "\n" : ""
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + end).utf8))
    }
}

/// Writes a line to standard error.
func note(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

extension ExperimentObserver {
    /// Notes on standard error (none when `quiet`) and a progress line per training run on a terminal.
    static func terminal(quiet: Bool) -> ExperimentObserver {
        ExperimentObserver(note: { if !quiet { IMDADCLI.note($0) } }, run: { label, epochs, pretraining in
            let printer = ProgressPrinter(label: label, totalEpochs: epochs, pretrainingEpochs: pretraining, quiet: quiet)
            return { printer($0) }
        })
    }
}
