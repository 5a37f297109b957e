// Option groups shared by several subcommands.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

extension MethodKind: ExpressibleByArgument {}

/// Which detector to train (`imdad train`).
struct MethodChoice: ParsableArguments {
    @Option(help: "Detector: \(MethodKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: MethodKind = .imdad
}

/// The options of every command that trains (`train`, `evaluate`, `images`). They build each
/// method's configuration (``configuration(_:encoder:)``), whose `validate()` checks them: a
/// parameter out of range is reported under its flag (``flag(forParameter:)``). The objective
/// study's ablation switches are hidden from `--help` and listed by `--help-hidden`
/// (docs/IMD-AD.md, "Ablation switches").
struct MethodOptions: ParsableArguments {
    @Option(help: "Training epochs (default: 150; DevNet: 50).") var epochs: Int?
    @Option(name: .customLong("lr"), help: "Learning rate (Adam; default 1e-3 for tabular data, 1e-4 for images).")
    var learningRateOption: Float?
    @Option(parsing: .upToNextOption, help: "Epochs at which the learning rate is divided by 10 (default: 50; DevNet: none).")
    var milestones: [Int] = []
    @Option(help: "Mini-batch size (default: 128; DevNet: 64).") var batchSize: Int?
    @Option(help: ArgumentHelp("Labeled anomalies in every balanced mini-batch: IMD-AD, balanced Deep SAD "
                               + "(default: max(4, round(B·m/(n + m))); at most m), DevNet (default: half the batch)."))
    var anomaliesPerBatch: Int?
    @Option(help: "Encoder weight decay λ (default: \(Format.general(TrainingConfiguration().weightDecay)); DevNet: 0).")
    var weightDecay: Float?
    @Option(help: ArgumentHelp("ν ∈ (0, 1]: bound on the fraction of normal training data outside the sphere during training "
                               + "(default: \(IMDADConfiguration.defaultNu) for IMD-AD, "
                               + "\(DetectorConfiguration.softBoundaryNu) for soft-boundary Deep SVDD)."))
    var nu: Float?
    @Option(help: "κ > 0: weight of the labeled anomalies (IMD-AD).") var kappa: Float = IMDADConfiguration.defaultKappa
    @Option(help: hidden("ν_R ∈ (0, 1]: the same as --contamination for IMD-AD (its former name).")) var radiusNu: Float?
    @Flag(help: "Keep R² as trained (IMD-AD): no refit at --radius-nu.") var keepTrainedRadius = false
    @Option(help: "η > 0: weight of the labeled samples (Deep SAD).") var eta: Float = 1
    @Flag(help: "Allow IMD-AD to train without labeled anomalies.") var oneClass = false
    @Option(help: ArgumentHelp("p ∈ (0, 1): the share of the training normals the model's threshold flags, for every method "
                               + "(IMD-AD refits R² alone after training so that s > 0 flags p of them; the ranking keeps "
                               + "the training ν). Default 0.1."))
    var contamination: Float?
    @Option(help: "Autoencoder pretraining epochs for the deep methods' encoder (0: none).") var pretrainEpochs = 0
    @Option(help: "Weight decay of the pretraining autoencoder.") var pretrainWeightDecay: Float = 0.5e-3
    @Option(help: "Threads for matrix products and the engine's loops (default: all cores).") var threads: Int?

    // The objective study's switches (IMDADConfiguration.Ablation): hidden, see --help-hidden.
    @Option(help: hidden("Softplus sharpness β instead of the hinge.")) var softplusBeta: Float?
    @Option(help: hidden("Softplus sharpness β for the labeled anomalies' term only.")) var anomalySoftplusBeta: Float?
    @Option(help: hidden("μ ≥ 0: weight of the compactness term on the normals.")) var mu: Float = 0
    @Option(help: hidden("π ≥ 0: weight of Deep SAD's push 1/(‖φ − c‖² + ε) on the labeled anomalies."))
    var anomalyPush: Float = 0
    @Option(help: hidden("Ramp cap τ > 0: normals beyond s = τ·ρ² stop pulling the sphere.")) var normalCap: Float?
    @Option(help: hidden("Learning-rate multiplier of the sphere's center c.")) var centerLrScale: Float = 1
    @Option(help: hidden("Every K epochs, set the sphere to the exact minimizer of J for the current encoder."))
    var sphereSolveEvery: Int?
    @Option(help: hidden("Sphere initialization: center-zero-radius or quantile.")) var initialization = "center-zero-radius"
    @Flag(help: hidden("Biases in the encoder (Deep SVDD/SAD stay bias-free).")) var encoderBias = false

    func validate() throws {
        if keepTrainedRadius, radiusNu != nil || contamination != nil {
            throw ValidationError("--keep-trained-radius and \(radiusNu != nil ? "--radius-nu" : "--contamination") exclude each other "
                                  + "for IMD-AD: one keeps R² as trained, the other refits it")
        }
        if radiusNu != nil, contamination != nil { throw ValidationError("--radius-nu and --contamination exclude each other") }
        if let v = radiusNu, !(v > 0 && v <= 1) { throw ValidationError("--radius-nu must be in (0, 1], got \(v)") }
        for kind in MethodKind.allCases { try checked { try configuration(kind, encoder: .tabular(inputs: 1)).validate() } }
    }

    /// `kind`'s configuration on `encoder`: the method's defaults with these options applied (an
    /// option not given keeps the method's default).
    func configuration(_ kind: MethodKind, encoder: EncoderArchitecture) throws -> DetectorConfiguration {
        let defaults = DetectorConfiguration.defaults(for: kind, encoder: encoder)
        var training = defaults.training ?? TrainingConfiguration()
        if let epochs { training.epochs = epochs }
        training.learningRate = learningRateOption ?? TrainingConfiguration.defaultLearningRate(for: encoder)
        if !milestones.isEmpty { training.milestones = milestones }
        if let batchSize { training.batchSize = batchSize }
        training.anomaliesPerBatch = anomaliesPerBatch
        if let weightDecay { training.weightDecay = weightDecay }
        let pretraining = pretrainEpochs > 0 ? PretrainingConfiguration(epochs: pretrainEpochs, weightDecay: pretrainWeightDecay) : nil
        switch defaults {
        case .imdad(var c):
            c.training = training
            c.pretraining = pretraining
            c.nu = nu ?? c.nu
            c.kappa = kappa
            c.radiusNu = keepTrainedRadius ? nil : radiusNu ?? contamination ?? c.radiusNu
            c.allowOneClass = oneClass
            c.ablation.hinge = softplusBeta.map { .softplus(beta: $0) } ?? .hinge
            c.ablation.anomalyHinge = anomalySoftplusBeta.map { .softplus(beta: $0) }
            c.ablation.compactness = mu
            c.ablation.anomalyPush = anomalyPush
            c.ablation.normalCap = normalCap
            c.ablation.centerLearningRateScale = centerLrScale
            c.ablation.sphereSolveEvery = sphereSolveEvery
            c.ablation.initialization = try choice(initialization, flag: "--initialization")
            c.ablation.encoderBias = encoderBias
            return .imdad(c)
        case .hypersphere(var c):
            c.training = training
            c.pretraining = pretraining
            c.contamination = contamination ?? c.contamination
            switch c.method {
            case .deepSAD(_, let epsilon): c.method = .deepSAD(eta: eta, epsilon: epsilon)
            case .deepSVDDSoftBoundary(let n, let warmUp): c.method = .deepSVDDSoftBoundary(nu: nu ?? n, warmUpEpochs: warmUp)
            case .deepSVDDOneClass: break
            }
            return .hypersphere(c)
        case .isolationForest(var forest):
            forest.contamination = contamination ?? forest.contamination
            return .isolationForest(forest)
        case .devnet(var c):
            c.training = training
            c.contamination = contamination ?? c.contamination
            return .devnet(c)
        }
    }

    /// Sets the thread budget and warns (on standard error, terminal or not) when the matrix
    /// products would run on the naive kernel: a run that takes minutes with OpenBLAS takes many hours
    /// without it, and the user should know why before waiting.
    func prepareEngine() {
        if let threads { BLAS.setThreadCount(threads) }
        if let warning = BLAS.backend.slowKernelWarning { note("warning: \(warning)") }
    }
}

/// Help for an ablation switch of IMD-AD: listed by `--help-hidden`, not by `--help`.
func hidden(_ text: String) -> ArgumentHelp { ArgumentHelp("(IMD-AD ablation) " + text, visibility: .hidden) }

/// The flag that sets a configuration parameter (`training.learningRate` → `--lr`): the few whose
/// flag differs from the parameter's name, else the name's last part in kebab case
/// (`radiusNu` → `--radius-nu`).
func flag(forParameter name: String) -> String {
    let renamed = ["training.learningRate": "--lr", "ablation.compactness": "--mu", "ablation.hinge": "--softplus-beta",
                   "ablation.anomalyHinge": "--anomaly-softplus-beta", "ablation.centerLearningRateScale": "--center-lr-scale",
                   "pretraining.epochs": "--pretrain-epochs", "pretraining.weightDecay": "--pretrain-weight-decay",
                   "allowOneClass": "--one-class", "radiusNu": "--contamination"]
    if let f = renamed[name] { return f }
    let last = name.split(separator: ".").last.map(String.init) ?? name
    return "--" + last.reduce(into: "") { out, ch in
        if ch.isUppercase { out += "-" + ch.lowercased() } else { out.append(ch) }
    }
}

/// Runs `body`, reporting a configuration parameter out of range under its flag.
func checked<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch DetectorError.invalidParameter(let name, let value, let expected) {
        throw ValidationError("\(flag(forParameter: name)) must be \(expected), got \(value)")
    }
}

/// A case of `T` by its kebab-case name (`center-zero-radius`); else an error listing the valid names.
func choice<T: CaseIterable & RawRepresentable>(_ text: String, flag: String) throws -> T where T.RawValue == String {
    func kebab(_ s: String) -> String { s.reduce(into: "") { $0 += $1.isUppercase ? "-" + $1.lowercased() : String($1) } }
    if let t = T.allCases.first(where: { kebab($0.rawValue) == text }) { return t }
    throw ValidationError("\(flag) must be one of \(T.allCases.map { kebab($0.rawValue) }.joined(separator: ", ")); got '\(text)'")
}

/// The methods of a comma-separated list such as `imdad,deepsad`.
func methodKinds(_ list: String) throws -> [MethodKind] {
    try list.split(separator: ",").map { name -> MethodKind in
        guard let k = MethodKind(rawValue: String(name)) else {
            let valid = MethodKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown method '\(name)'; expected one of \(valid)")
        }
        return k
    }
}

/// Turns library errors into a one-line message and a non-zero exit status; where a library error
/// names a parameter or a switch, the message names the flag that sets it.
func run(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ValidationError { throw e } catch let e as ExitCode { throw e } catch let e as CleanExit {
        throw e
    } catch {
        note("error: \(message(for: error))")
        throw ExitCode(2)
    }
}

/// A library error in the command line's words.
func message(for error: any Error) -> String {
    switch error {
    case let e as OutputExistsError: return "\(e.path) already exists. HINT: pass --force to replace it, or choose another path"
    case let e as TrainingError:
        return "\(e)".replacingOccurrences(of: "(training.learningRate)", with: "(--lr)")
            .replacingOccurrences(of: "(kappa)", with: "(--kappa)")
    case DetectorError.invalidParameter(let name, let value, let expected):
        return "\(flag(forParameter: name)) must be \(expected), got \(value)"
    case DetectorError.noLabeledAnomalies(let method):
        return "\(method) needs at least one labeled anomaly (label 1) in the training data. "
            + "HINT: label a few confirmed anomalies, or pass --one-class to train without them."
    default: return "\(error)"
    }
}
