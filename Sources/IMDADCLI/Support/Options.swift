// Option groups shared by several subcommands.

import ArgumentParser
import Foundation
import IMDADDetectors
import IMDADEngine

extension MethodKind: ExpressibleByArgument {}

/// Which detector to train (`imdad train`).
struct MethodChoice: ParsableArguments {
    @Option(help: "Detector: \(MethodKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: MethodKind = .imdad
}

/// Hyper-parameters shared by every command that trains (`train`, `evaluate`, `images`).
struct MethodOptions: ParsableArguments {
    @Option(help: "Training epochs.") var epochs = 150
    @Option(name: .customLong("lr"), help: "Learning rate (Adam; default 1e-3 for tabular data, 1e-4 for images).")
    var learningRateOption: Float?
    @Option(parsing: .upToNextOption, help: "Epochs at which the learning rate is divided by 10.") var milestones: [Int] = [50]
    @Option(help: "Mini-batch size.") var batchSize = 128
    @Option(help: "Labeled anomalies in every balanced mini-batch: IMD-AD, balanced Deep SAD (default: max(4, round(B·m/(n + m))); at most m).")
    var anomaliesPerBatch: Int?
    @Option(help: "Encoder weight decay λ.") var weightDecay: Float = 0.5e-6
    @Option(help: "ν ∈ (0, 1]: bound on the fraction of normal training data outside the sphere during training (default: \(IMDADConfiguration.defaultNu) for IMD-AD, \(MethodSettings.softBoundaryNu) for soft-boundary Deep SVDD).")
    var nu: Float?
    @Option(help: "κ > 0: weight of the labeled anomalies (IMD-AD).") var kappa: Float = IMDADConfiguration.defaultKappa
    @Option(help: "ν_R ∈ (0, 1] (IMD-AD): after training, refit R² alone by the objective at this ν, so that s > 0 flags about ν_R of the training normals; the ranking keeps the training ν (default: \(IMDADConfiguration.defaultRadiusNu)).")
    var radiusNu: Float?
    @Flag(help: "Keep R² as trained (IMD-AD): no refit at --radius-nu.") var keepTrainedRadius = false
    @Option(help: "η > 0: weight of the labeled samples (Deep SAD).") var eta: Float = 1
    @Option(help: "Softplus sharpness β instead of the hinge (IMD-AD ablation).") var softplusBeta: Float?
    @Option(help: "Softplus sharpness β for the labeled anomalies' term only (IMD-AD).") var anomalySoftplusBeta: Float?
    @Option(help: "μ ≥ 0: weight of the compactness term on the normals (IMD-AD).") var mu: Float = 0
    @Option(help: "π ≥ 0: weight of Deep SAD's push 1/(‖φ − c‖² + ε) on the labeled anomalies (IMD-AD).") var anomalyPush: Float = 0
    @Option(help: "Ramp cap τ > 0 (IMD-AD): normals beyond s = τ·ρ² stop pulling the sphere.") var normalCap: Float?
    @Option(help: "Learning-rate multiplier of the sphere's center c (IMD-AD).") var centerLrScale: Float = 1
    @Option(help: "Sphere initialization (IMD-AD): center-zero-radius or quantile.") var initialization: String = "center-zero-radius"
    @Flag(help: "Biases in the encoder (IMD-AD only; Deep SVDD/SAD must be bias-free).") var encoderBias = false
    @Flag(help: "Allow IMD-AD to train without labeled anomalies.") var oneClass = false
    @Option(help: "Fraction of training data flagged by the baselines' threshold.") var contamination: Float = 0.1
    @Option(help: "Autoencoder pretraining epochs for the deep methods' encoder (0: none).") var pretrainEpochs = 0
    @Option(help: "Weight decay of the pretraining autoencoder.") var pretrainWeightDecay: Float = 0.5e-3
    @Option(help: "Threads for matrix products and the engine's loops (default: all cores).") var threads: Int?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be ≥ 1") }
        guard batchSize >= 2 else { throw ValidationError("--batch-size must be ≥ 2") }
        if let k = anomaliesPerBatch, !(k >= 1 && k < batchSize) { throw ValidationError("--anomalies-per-batch must be in 1..<batch size") }
        if let lr = learningRateOption, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number") }
        if let nu, !(nu > 0 && nu <= 1) { throw ValidationError("--nu must be in (0, 1]") }
        guard kappa > 0 else { throw ValidationError("--kappa must be > 0") }
        if let v = radiusNu, !(v > 0 && v <= 1) { throw ValidationError("--radius-nu must be in (0, 1]") }
        if keepTrainedRadius, radiusNu != nil { throw ValidationError("--keep-trained-radius and --radius-nu exclude each other") }
        guard ["center-zero-radius", "quantile"].contains(initialization) else {
            throw ValidationError("--initialization must be center-zero-radius or quantile")
        }
        guard mu >= 0, mu.isFinite else { throw ValidationError("--mu must be ≥ 0") }
        guard anomalyPush >= 0, anomalyPush.isFinite else { throw ValidationError("--anomaly-push must be ≥ 0") }
        guard centerLrScale >= 0, centerLrScale.isFinite else { throw ValidationError("--center-lr-scale must be ≥ 0") }
        if let t = normalCap, !(t > 0 && t.isFinite) { throw ValidationError("--normal-cap must be > 0") }
        if let b = softplusBeta, !(b > 0 && b.isFinite) { throw ValidationError("--softplus-beta must be > 0") }
        if let b = anomalySoftplusBeta, !(b > 0 && b.isFinite) { throw ValidationError("--anomaly-softplus-beta must be > 0") }
        guard pretrainEpochs >= 0 else { throw ValidationError("--pretrain-epochs must be ≥ 0") }
        guard pretrainWeightDecay >= 0, pretrainWeightDecay.isFinite else { throw ValidationError("--pretrain-weight-decay must be ≥ 0") }
    }

    /// `--lr`, or Deep SAD's default for the data kind.
    func learningRate(images: Bool) -> Float { learningRateOption ?? (images ? 1e-4 : 1e-3) }

    func settings(images: Bool = false) -> MethodSettings {
        var s = MethodSettings()
        s.training.epochs = epochs
        s.training.learningRate = learningRate(images: images)
        s.training.milestones = milestones
        s.training.batchSize = batchSize
        s.training.anomaliesPerBatch = anomaliesPerBatch
        s.training.weightDecay = weightDecay
        s.nu = nu; s.kappa = kappa; s.eta = eta
        s.compactness = mu
        s.anomalyPush = anomalyPush
        s.normalCap = normalCap
        s.centerLearningRateScale = centerLrScale
        s.radiusNu = keepTrainedRadius ? nil : radiusNu ?? IMDADConfiguration.defaultRadiusNu
        s.hinge = softplusBeta.map { .softplus(beta: $0) } ?? .hinge
        s.anomalyHinge = anomalySoftplusBeta.map { .softplus(beta: $0) }
        s.initialization = initialization == "quantile" ? .quantile : .centerZeroRadius
        s.encoderBias = encoderBias
        s.allowOneClass = oneClass
        s.contamination = contamination
        if pretrainEpochs > 0 { s.pretraining = PretrainingConfiguration(epochs: pretrainEpochs, weightDecay: pretrainWeightDecay) }
        return s
    }

    /// Sets the thread budget and warns (on standard error, terminal or not) when the matrix
    /// products would run on the naive kernel: a run that takes minutes with OpenBLAS takes many hours
    /// without it, and the user should know why before waiting.
    func prepareEngine() {
        if let threads { BLAS.setThreadCount(threads) }
        if let warning = BLAS.backend.slowKernelWarning { note("warning: \(warning)") }
    }
}

/// The methods of a comma-separated list such as `imdad,deepsad`.
func methodKinds(_ list: String) throws -> [MethodKind] {
    try list.split(separator: ",").map { name -> MethodKind in
        guard let k = MethodKind(rawValue: String(name)) else {
            throw ValidationError("unknown method '\(name)'; expected one of \(MethodKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return k
    }
}

/// Turns library errors into a one-line message and a non-zero exit status.
func run(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ValidationError { throw e } catch let e as ExitCode { throw e } catch let e as CleanExit { throw e } catch {
        note("error: \(error)")
        throw ExitCode(2)
    }
}
