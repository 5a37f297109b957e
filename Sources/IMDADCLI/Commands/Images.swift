// `imdad images`: the spec §7 image protocol (Deep SAD's MNIST / Fashion-MNIST setup) as a sweep
// whose runs accumulate in a JSON-lines results file, and the Markdown summary of such a file.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADExperiments

extension ImageDataset: ExpressibleByArgument {}

struct Images: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Image benchmarks (MNIST, Fashion-MNIST, CIFAR-10) under the Deep SAD protocol; results accumulate as JSON lines.",
        discussion: """
        Each run: one class normal (its training images, unlabeled); m = ⌊γ_l/(1−γ_l)·(n+u)⌋ labeled \
        anomalies drawn with the seed from the known class (default: normal + 1 mod 10); \
        u = ⌊γ_p/(1−γ_p)·n⌋ unlabeled anomalies from the nine other classes. Test = the whole \
        test set, anomalous = not the normal class. Pixels scaled to [0, 1]; spec §6 encoders.

        Every finished run is appended to --results as one JSON line; --resume skips runs already \
        there (same data set, method, classes, γ_l, γ_p, seed, epochs, lr, milestones, batch size and \
        objective: the settings that shape the ranking, e.g. ν, κ, anomalies per batch). \
        --summary prints the Markdown table of a results file.

        Data: MNIST from ../shared/datasets/mnist, Fashion-MNIST from /usr/share/datasets/fashion-mnist \
        (apt-get install -y dataset-fashion-mnist), CIFAR-10 from ../shared/datasets/cifar10 (its six \
        binary batches data_batch_1…5 and test_batch, each .bin.gz or plain .bin as in \
        cifar-10-binary.tar.gz). Elsewhere: --data-root DIR (one data set) or \
        --data-root mnist=DIR fmnist=DIR cifar10=DIR.

        Examples:
          imdad images --dataset fmnist --classes 0 --methods imdad --epochs 3
          imdad images --dataset mnist fmnist --methods imdad,deepsad --resume
          imdad images --dataset cifar10 --classes 0 --methods imdad --epochs 30 --milestones 20
          imdad images --summary --results experiments/images/runs.jsonl
        """)

    @Option(parsing: .upToNextOption, help: "Data sets: \(ImageDataset.names).") var dataset: [ImageDataset] = [.mnist]
    @Option(parsing: .upToNextOption, help: "Folder of the data files: DIR, or NAME=DIR per data set.") var dataRoot: [String] = []
    @Option(parsing: .upToNextOption, help: "Normal classes (default: all ten).") var classes: [Int] = Array(0..<10)
    @Option(help: "Known anomaly class (default: normal class + 1 mod 10).") var knownClass: Int?
    @Option(name: .customLong("gamma-l"), parsing: .upToNextOption, help: "Labeled anomaly ratios γ_l = m/(n+u+m).")
    var gammaL: [Double] = [0.05]
    @Option(name: .customLong("gamma-p"), help: "Pollution γ_p = u/(n+u): unlabeled anomalies in the training set.")
    var gammaP: Double = 0
    @Option(help: """
        Comma-separated methods: imdad, deepsad, deepsvdd \
        (or any of \(MethodKind.allCases.map(\.rawValue).joined(separator: ", "))).
        """)
    var methods: String = "imdad,deepsad,deepsvdd"
    @Option(parsing: .upToNextOption, help: "Seeds (split and training).") var seed: [UInt64] = [0]
    /// In the working directory, not the repository's committed `experiments/images/runs.jsonl`: a check
    /// run without `--results` must not append to a results file that someone keeps (it did, stop 12).
    @Option(help: "Results file (JSON lines, appended).") var results = "imdad-images.jsonl"
    @Flag(help: "Skip runs already in the results file.") var resume = false
    @Flag(help: "Print the Markdown summary of the results file and exit (trains nothing).") var summary = false
    @Flag(help: "No progress output.") var quiet = false
    @OptionGroup var method: MethodOptions

    func validate() throws {
        guard classes.allSatisfy({ (0..<10).contains($0) }) else { throw ValidationError("--classes must be in 0…9") }
        guard gammaL.allSatisfy({ $0 >= 0 && $0 < 1 }) else { throw ValidationError("--gamma-l values must be in [0, 1)") }
        guard gammaP >= 0, gammaP < 1 else { throw ValidationError("--gamma-p must be in [0, 1)") }
        if let k = knownClass, !(0..<10).contains(k) { throw ValidationError("--known-class must be in 0…9") }
        guard !seed.isEmpty, !dataset.isEmpty, !classes.isEmpty, !gammaL.isEmpty else {
            throw ValidationError("--dataset, --classes, --gamma-l and --seed need at least one value")
        }
        _ = try roots()
    }

    /// The folder of each data set.
    func roots() throws -> [ImageDataset: String] {
        var out: [ImageDataset: String] = [:]
        for r in dataRoot {
            if let eq = r.firstIndex(of: "="), let d = ImageDataset(rawValue: String(r[..<eq])) {
                out[d] = String(r[r.index(after: eq)...])
            } else if dataset.count == 1 {
                out[dataset[0]] = r
            } else {
                throw ValidationError("with several data sets, give --data-root as NAME=DIR (e.g. fmnist=/data/fashion-mnist)")
            }
        }
        return out
    }

    func run() throws {
        try IMDADCLI.run {
            if summary {
                print(ImageRunLog.summary(try ImageRunLog.read(path: results)), terminator: "")
                return
            }
            method.prepareEngine()
            var sweep = ImageSweep(datasets: dataset, roots: try roots(), classes: classes, knownClass: knownClass, gammaL: gammaL,
                                   gammaP: gammaP, methods: try methodKinds(methods), seeds: seed,
                                   configure: { kind, encoder in try checked { try method.configuration(kind, encoder: encoder) } })
            sweep.results = results
            sweep.resume = resume
            _ = try sweep.run(observer: .terminal(quiet: quiet))
        }
    }
}
