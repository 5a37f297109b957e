// The reference encoders of the spec (§6, from the Deep SAD appendix). Architectures only: they
// know nothing of the objectives trained on top of them.

import IMDADEngine

/// An encoder `φ_W : R^D → R^d`.
///
/// Conv layers: 5×5 kernels, padding 2, BatchNorm without affine (ε = 1e-4), LeakyReLU(0.01),
/// 2×2 max pooling. MLP hidden layers: linear + BatchNorm (no affine, ε = 1e-4) + LeakyReLU.
public enum EncoderArchitecture: Sendable, Equatable, Codable {
    /// `D → hidden… → d` (tabular data).
    case mlp(input: Int, hidden: [Int], representation: Int)
    /// conv 1→8, pool, conv 8→4, pool, linear 196→32.
    case mnistLeNet
    /// conv 1→16, pool, conv 16→32, pool, linear 1568→128 + BN + LeakyReLU, linear 128→64.
    case fashionMNISTLeNet
    /// conv 3→32, pool, conv 32→64, pool, conv 64→128, pool, linear 2048→128.
    case cifar10LeNet

    /// The spec's MLP for a tabular data set with `inputs` features (§6 table): arrhythmia-sized
    /// inputs (> 100 features) get 128-64-32, thyroid-sized (≤ 6) 32-16-4, the rest 32-16-8.
    public static func tabular(inputs: Int) -> EncoderArchitecture {
        if inputs > 100 { return .mlp(input: inputs, hidden: [128, 64], representation: 32) }
        if inputs <= 6 { return .mlp(input: inputs, hidden: [32, 16], representation: 4) }
        return .mlp(input: inputs, hidden: [32, 16], representation: 8)
    }

    /// Representation dimension `d`.
    public var representationSize: Int {
        switch self {
        case .mlp(_, _, let d): return d
        case .mnistLeNet: return 32
        case .fashionMNISTLeNet: return 64
        case .cifar10LeNet: return 128
        }
    }

    /// Input features per sample `D` (pixels for images).
    public var inputSize: Int {
        switch self {
        case .mlp(let d, _, _): return d
        case .mnistLeNet, .fashionMNISTLeNet: return 784
        case .cifar10LeNet: return 3072
        }
    }

    /// Weights of an MLP's linear layers, or nil when a layer size is below 1 or the count
    /// overflows (an architecture read from a damaged file). The image encoders have fixed,
    /// small sizes: 0 (nothing to check).
    public var weightCount: Int? {
        guard case .mlp(let input, let hidden, let d) = self else { return 0 }
        let sizes = [input] + hidden + [d]
        guard sizes.allSatisfy({ $0 >= 1 }) else { return nil }
        var total = 0
        for (a, b) in zip(sizes, sizes.dropFirst()) {
            let (w, o1) = a.multipliedReportingOverflow(by: b)
            let (t, o2) = total.addingReportingOverflow(w)
            guard !o1, !o2 else { return nil }
            total = t
        }
        return total
    }

    /// Whether this is one of the convolutional image encoders.
    public var isImage: Bool { imageShape != nil }

    /// Image geometry (channels, height, width) for the convolutional encoders.
    public var imageShape: [Int]? {
        switch self {
        case .mlp: return nil
        case .mnistLeNet, .fashionMNISTLeNet: return [1, 28, 28]
        case .cifar10LeNet: return [3, 32, 32]
        }
    }

    public var name: String {
        switch self {
        case .mlp(let i, let h, let d): return "MLP " + ([i] + h + [d]).map(String.init).joined(separator: "-")
        case .mnistLeNet: return "MNIST LeNet"
        case .fashionMNISTLeNet: return "Fashion-MNIST LeNet"
        case .cifar10LeNet: return "CIFAR-10 LeNet"
        }
    }

    /// The layers; `bias: false` removes every bias (required by Deep SVDD and Deep SAD, where a
    /// bias lets the network map everything onto `c`).
    public func layers(bias: Bool) -> Sequential {
        let bnEps: Float = 1e-4
        func convBlock(_ i: Int, _ o: Int) -> [any Layer] {
            [Conv2d(i, o, kernelSize: 5, padding: 2, bias: bias), BatchNorm(o, epsilon: bnEps, affine: false),
             LeakyReLU(slope: 0.01), MaxPool2d(2)]
        }
        switch self {
        case .mlp(let input, let hidden, let d):
            var l: [any Layer] = []
            var prev = input
            for h in hidden {
                l += [Linear(prev, h, bias: bias), BatchNorm(h, epsilon: bnEps, affine: false), LeakyReLU(slope: 0.01)]
                prev = h
            }
            l.append(Linear(prev, d, bias: bias))
            return Sequential(l)
        case .mnistLeNet:
            return Sequential([Reshape([1, 28, 28])] + convBlock(1, 8) + convBlock(8, 4)
                              + [Flatten(), Linear(4 * 7 * 7, 32, bias: bias)])
        case .fashionMNISTLeNet:
            return Sequential([Reshape([1, 28, 28])] + convBlock(1, 16) + convBlock(16, 32)
                              + [Flatten(), Linear(32 * 7 * 7, 128, bias: bias), BatchNorm(128, epsilon: bnEps, affine: false),
                                 LeakyReLU(slope: 0.01), Linear(128, 64, bias: bias)])
        case .cifar10LeNet:
            return Sequential([Reshape([3, 32, 32])] + convBlock(3, 32) + convBlock(32, 64) + convBlock(64, 128)
                              + [Flatten(), Linear(128 * 4 * 4, 128, bias: bias)])
        }
    }

    /// The decoder `ψ : R^d → R^D` of the autoencoder used for optional pretraining: the
    /// encoder mirrored, ending in a sigmoid (inputs are scaled to [0, 1]), flat output.
    ///
    /// Deep SAD's image decoders invert pooling with a transposed convolution after
    /// interpolation; here each pooling is inverted by nearest-neighbour upsampling followed by
    /// a 5×5 same convolution (a "resize-convolution"), which reaches the input size exactly.
    public func decoderLayers(bias: Bool) -> Sequential {
        let bnEps: Float = 1e-4
        func dense(_ i: Int, _ o: Int) -> [any Layer] {
            [Linear(i, o, bias: bias), BatchNorm(o, epsilon: bnEps, affine: false), LeakyReLU(slope: 0.01)]
        }
        func upBlock(_ i: Int, _ o: Int) -> [any Layer] {
            [Upsample2d(2), Conv2d(i, o, kernelSize: 5, padding: 2, bias: bias), BatchNorm(o, epsilon: bnEps, affine: false),
             LeakyReLU(slope: 0.01)]
        }
        func output(_ i: Int, _ o: Int) -> [any Layer] {
            [Upsample2d(2), Conv2d(i, o, kernelSize: 5, padding: 2, bias: bias), Sigmoid(), Flatten()]
        }
        switch self {
        case .mlp(let input, let hidden, let d):
            var l: [any Layer] = []
            var prev = d
            for h in hidden.reversed() { l += dense(prev, h); prev = h }
            return Sequential(l + [Linear(prev, input, bias: bias), Sigmoid()])
        case .mnistLeNet:
            return Sequential(dense(32, 4 * 7 * 7) + [Reshape([4, 7, 7])] + upBlock(4, 8) + output(8, 1))
        case .fashionMNISTLeNet:
            return Sequential(dense(64, 128) + dense(128, 32 * 7 * 7) + [Reshape([32, 7, 7])] + upBlock(32, 16) + output(16, 1))
        case .cifar10LeNet:
            return Sequential(dense(128, 128 * 4 * 4) + [Reshape([128, 4, 4])] + upBlock(128, 64) + upBlock(64, 32)
                              + output(32, 3))
        }
    }
}
