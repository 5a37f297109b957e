// ONNX export of a trained model: one graph from raw features to the score, as `imdad score` computes it.
//
// The graph (opset 17, IR version 8):
//
//     x (N, D) float, raw features in the training file's column order
//       → scaler, in double as the Swift code does:  z = ((x − mean)/scale − min)/range, cast to float
//       → encoder φ: Gemm / Conv / BatchNormalization (inference: running statistics, ε) / LeakyRelu /
//         MaxPool / Reshape / Flatten, weights as initializers
//       → score s (N):
//           IMD-AD:        s = ‖φ‖² − wᵀφ − b   (the sphere layer; = ‖φ − c‖² − R², w = 2c, b = R² − ‖c‖²)
//           Deep SAD/SVDD: s = ‖φ − c‖² − R²     (R² = 0 except for soft-boundary Deep SVDD)
//           Isolation Forest: s = 2^(−E[h(x)]/c(ψ)) from an ONNX-ML TreeEnsembleRegressor (ONNXExport+IsolationForest.swift)
//       → prediction (N) int64 = [s > threshold]
//       → distance (N) float = ‖φ − c‖ (deep models)
//       → zone (N) int64 (IMD-AD only): 0 inside (s ≤ 0), 1 margin band (0 < s < ρ²), 2 outside (s ≥ ρ²)
//
// `metadata_props` carry the method, the library version, the feature names, the threshold, c, R², ρ²
// and the zone names (keys in ``ONNXExport/MetadataKey``).

import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import SwiftProtobuf

/// Why a model cannot be exported.
public enum ONNXExportError: Error, CustomStringConvertible, Equatable {
    case unsupportedLayer(String)

    public var description: String {
        switch self {
        case .unsupportedLayer(let l):
            return "the network has a layer ONNX export does not know (\(l))"
        }
    }
}

/// Builds the ONNX model of a ``TrainedModel``.
public enum ONNXExport {
    /// ONNX operator set the graph uses.
    public static let opset: Int64 = 17
    /// ONNX IR version matching ``opset``.
    public static let irVersion: Int64 = 8

    /// Graph input and output names.
    public enum Name {
        public static let input = "x"
        public static let score = "score"
        public static let prediction = "prediction"
        public static let distance = "distance"
        public static let zone = "zone"
    }

    /// Keys of `metadata_props`.
    public enum MetadataKey {
        public static let method = "imdad.method"
        public static let methodName = "imdad.method_name"
        public static let libraryVersion = "imdad.library_version"
        public static let seed = "imdad.seed"
        public static let featureNames = "imdad.feature_names"
        public static let threshold = "imdad.threshold"
        public static let center = "imdad.center"
        public static let radiusSquared = "imdad.radius_squared"
        public static let marginSquared = "imdad.margin_squared"
        public static let zones = "imdad.zones"
        public static let scaled = "imdad.scaled"
        public static let encoder = "imdad.encoder"
        public static let trees = "imdad.trees"
    }

    /// The serialized ONNX file of `trained`.
    public static func serialized(_ trained: TrainedModel) throws -> [UInt8] {
        [UInt8](try model(trained).serializedData())
    }

    /// The ONNX model of `trained`.
    public static func model(_ trained: TrainedModel) throws -> Onnx_ModelProto {
        let meta = trained.metadata
        let d = meta.featureNames.count
        var g = GraphBuilder(name: "imdad_\(meta.method.rawValue)")
        g.addInput(
            GraphBuilder.valueInfo(
                Name.input, .float, dims: ["N", d],
                doc: "raw features, one row per sample, columns as in imdad.feature_names"))
        let x = scaled(Name.input, scaler: meta.scaler, into: &g)

        var props: [(String, String)] = [
            (MetadataKey.method, meta.method.rawValue), (MetadataKey.methodName, meta.method.displayName),
            (MetadataKey.libraryVersion, meta.libraryVersion), (MetadataKey.seed, String(meta.seed)),
            (MetadataKey.featureNames, jsonList(meta.featureNames)), (MetadataKey.threshold, "\(meta.threshold)"),
            (MetadataKey.scaled, meta.scaler == nil ? "false" : "true"),
        ]
        var center: [Float]? = nil
        var phi: String? = nil
        switch trained.fitted {
        case .imdad(let m):
            let net = m.network
            guard let encoder = net.body.layers.first else { throw ONNXExportError.unsupportedLayer("empty network") }
            let h = try emit(encoder, input: x, first: net.body.offsets[0], values: net.parameters.values, into: &g)
            phi = h
            let (wi, bi) = IMDAD.sphereIndices(net)
            let w = net.parameters.values[wi], b = net.parameters.values[bi]
            let sphere = m.sphere
            center = sphere.center
            // s = ‖φ‖² − wᵀφ − b, in the order of HypersphereLayer.forward.
            let sq = g.node("ReduceSumSquare", [h], attributes: [Attribute.ints("axes", [1]), Attribute.int("keepdims", 0)])
            let lin = g.node("MatMul", [h, g.constant("sphere_w", w.scalars, shape: [w.count])])
            let s = g.node("Sub", [g.node("Sub", [sq, lin]), g.constant("sphere_b", b.scalars, shape: [1])], output: Name.score)
            // zone: Where(s ≤ 0, 0, Where(s < ρ², 1, 2)).
            let zero = g.constant("zero", [Float(0)], shape: [])
            let rho2 = g.constant("margin_squared", [sphere.marginSquared], shape: [])
            let codes = (0..<3).map { g.constant("zone\($0)", int64: [Int64($0)], shape: []) }
            let outer = g.node("Where", [g.node("Less", [s, rho2]), codes[1], codes[2]])
            g.node("Where", [g.node("LessOrEqual", [s, zero]), codes[0], outer], output: Name.zone)
            props += [
                (MetadataKey.radiusSquared, "\(sphere.radiusSquared)"), (MetadataKey.marginSquared, "\(sphere.marginSquared)"),
                (MetadataKey.zones, jsonList(Zone.allCases.map(\.rawValue))),
            ]
            props.append((MetadataKey.encoder, m.configuration.encoder.name))
        case .hypersphere(let m):
            let net = m.network
            let h = try emit(net.body, input: x, first: 0, values: net.parameters.values, into: &g)
            phi = h
            center = m.center
            let dist2 = g.node(
                "ReduceSumSquare", [g.node("Sub", [h, g.constant("center", m.center, shape: [m.center.count])])],
                attributes: [Attribute.ints("axes", [1]), Attribute.int("keepdims", 0)])
            g.node("Sub", [dist2, g.constant("radius_squared", [m.radiusSquared], shape: [])], output: Name.score)
            props.append((MetadataKey.radiusSquared, "\(m.radiusSquared)"))
            props.append((MetadataKey.encoder, m.configuration.encoder.name))
        case .devnet(let m):
            // DevNet's score is its network's one output, φ(x) of shape (N, 1), flattened to (N).
            let net = m.network
            let h = try emit(net.body, input: x, first: 0, values: net.parameters.values, into: &g)
            g.node("Reshape", [h, g.constant("score_shape", int64: [-1], shape: [1])], output: Name.score)
        case .isolationForest(let f):
            isolationForest(f.model, input: x, into: &g)
            props.append((MetadataKey.trees, String(f.model.treeCount)))
        }
        // prediction = [s > threshold]; distance = ‖φ − c‖.
        let above = g.node("Greater", [Name.score, g.constant("threshold", [meta.threshold], shape: [])])
        g.node("Cast", [above], output: Name.prediction, attributes: [Attribute.int("to", Int(Onnx_TensorProto.DataType.int64.rawValue))])
        if let phi, let center {
            props.append((MetadataKey.center, jsonList(center.map { "\($0)" }, quoted: false)))
            let diff = g.node("Sub", [phi, g.constant("c", center, shape: [center.count])])
            let d2 = g.node("ReduceSumSquare", [diff], attributes: [Attribute.ints("axes", [1]), Attribute.int("keepdims", 0)])
            g.node("Sqrt", [d2], output: Name.distance)
        }

        g.addOutput(GraphBuilder.valueInfo(Name.score, .float, dims: ["N"], doc: "anomaly score s; higher is more anomalous"))
        g.addOutput(GraphBuilder.valueInfo(Name.prediction, .int64, dims: ["N"], doc: "1 when s > imdad.threshold, else 0"))
        if center != nil {
            g.addOutput(GraphBuilder.valueInfo(Name.distance, .float, dims: ["N"], doc: "‖φ(x) − c‖, distance to the center"))
        }
        if case .imdad = trained.fitted {
            g.addOutput(
                GraphBuilder.valueInfo(
                    Name.zone, .int64, dims: ["N"],
                    doc: "0 inside (s ≤ 0), 1 margin band (0 < s < ρ²), 2 outside (s ≥ ρ²)"))
        }

        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Self.opset
        model.opsetImport = [opset]
        if case .isolationForest = trained.fitted {
            var ml = Onnx_OperatorSetIdProto()
            ml.domain = "ai.onnx.ml"
            ml.version = mlOpset
            model.opsetImport.append(ml)
        }
        model.producerName = "imdad"
        model.producerVersion = IMDADVersion.library
        model.modelVersion = 1
        model.docString =
            "\(meta.method.displayName) anomaly detector exported by imdad \(IMDADVersion.library). "
            + "Input x: raw features (N, \(d)). Outputs: score, prediction"
            + (meta.method == .imdad ? ", distance, zone." : [.isolationForest, .devnet].contains(meta.method) ? "." : ", distance.")
        model.graph = g.graph
        model.metadataProps = props.map { k, v in
            var e = Onnx_StringStringEntryProto()
            e.key = k; e.value = v
            return e
        }
        return model
    }

    /// The stored scaler as graph nodes: `((x − mean)/scale − min)/range` in double, then float —
    /// the operations and precision of `StandardMinMaxScaler.transform`.
    private static func scaled(_ x: String, scaler: StandardMinMaxScaler?, into g: inout GraphBuilder) -> String {
        guard let s = scaler else { return x }
        let n = s.columns
        let toDouble = Attribute.int("to", Int(Onnx_TensorProto.DataType.double.rawValue))
        let toFloat = Attribute.int("to", Int(Onnx_TensorProto.DataType.float.rawValue))
        var h = g.node("Cast", [x], attributes: [toDouble])
        h = g.node("Sub", [h, g.constant("scaler_mean", s.mean, shape: [n])])
        h = g.node("Div", [h, g.constant("scaler_scale", s.scale, shape: [n])])
        h = g.node("Sub", [h, g.constant("scaler_min", s.minimum, shape: [n])])
        h = g.node("Div", [h, g.constant("scaler_range", s.range, shape: [n])])
        return g.node("Cast", [h], attributes: [toFloat])
    }

    /// Appends the nodes of `layer` applied to `input`; its tensors are `values[first...]`.
    private static func emit(_ layer: any Layer, input: String, first: Int, values: [Tensor], into g: inout GraphBuilder) throws -> String {
        func tensor(_ k: Int, _ prefix: String) -> String {
            let t = values[first + k]
            return g.constant(prefix, t.scalars, shape: t.shape)
        }
        switch layer {
        case let s as Sequential:
            var h = input
            for (i, l) in s.layers.enumerated() { h = try emit(l, input: h, first: first + s.offsets[i], values: values, into: &g) }
            return h
        case let r as Reshape:
            return g.node("Reshape", [input, g.constant("shape", int64: [-1] + r.shape.map(Int64.init), shape: [r.shape.count + 1])])
        case is Flatten:
            return g.node("Flatten", [input], attributes: [Attribute.int("axis", 1)])
        case let l as Linear:
            let inputs = [input, tensor(0, "linear_weight")] + (l.hasBias ? [tensor(1, "linear_bias")] : [])
            return g.node("Gemm", inputs, attributes: [Attribute.int("transB", 1)])
        case let c as Conv2d:
            let inputs = [input, tensor(0, "conv_weight")] + (c.hasBias ? [tensor(1, "conv_bias")] : [])
            return g.node(
                "Conv", inputs,
                attributes: [
                    Attribute.ints("kernel_shape", [c.kernelSize, c.kernelSize]), Attribute.ints("strides", [c.stride, c.stride]),
                    Attribute.ints("pads", [c.padding, c.padding, c.padding, c.padding]),
                ])
        case let bn as BatchNorm:
            let k = bn.affine ? 2 : 0
            let scale =
                bn.affine ? tensor(0, "bn_weight") : g.constant("bn_one", [Float](repeating: 1, count: bn.channels), shape: [bn.channels])
            let bias =
                bn.affine ? tensor(1, "bn_bias") : g.constant("bn_zero", [Float](repeating: 0, count: bn.channels), shape: [bn.channels])
            return g.node(
                "BatchNormalization", [input, scale, bias, tensor(k, "bn_mean"), tensor(k + 1, "bn_var")],
                attributes: [Attribute.float("epsilon", bn.epsilon)])
        case let a as LeakyReLU:
            return g.node("LeakyRelu", [input], attributes: [Attribute.float("alpha", a.slope)])
        case is ReLU:
            return g.node("Relu", [input])
        case is Sigmoid:
            return g.node("Sigmoid", [input])
        case let p as MaxPool2d:
            return g.node(
                "MaxPool", [input],
                attributes: [
                    Attribute.ints("kernel_shape", [p.size, p.size]),
                    Attribute.ints("strides", [p.size, p.size]),
                ])
        default:
            throw ONNXExportError.unsupportedLayer(String(describing: type(of: layer)))
        }
    }

    /// `["a","b"]` (quoted, JSON-escaped) or `[1.5,2]` (numbers as given).
    private static func jsonList(_ items: [String], quoted: Bool = true) -> String {
        guard quoted else { return "[" + items.joined(separator: ",") + "]" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(items)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
