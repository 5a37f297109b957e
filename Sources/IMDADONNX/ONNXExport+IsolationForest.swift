// Isolation Forest as an ONNX-ML TreeEnsembleRegressor (domain ai.onnx.ml, opset 3).
//
//     s(x) = 2^(−E[h(x)] / c(ψ)),   h(x) = e + c(size) at the leaf x reaches, E[·] the mean over the trees
//
// Each leaf's weight is its h (edges from the root plus c(node size)); the ensemble averages them
// (aggregate_function AVERAGE), then Div and Pow give s. Splits: x goes left when x < p. The input is
// float and p a double; with p rounded *up* to the nearest float p′ (p itself when representable),
// x < p ⇔ x < p′ for every float x, so BRANCH_LT on float thresholds takes exactly the Swift branches.

import Foundation
import IMDADDetectors

extension ONNXExport {
    /// ONNX-ML operator set of the tree ensemble.
    public static let mlOpset: Int64 = 3

    /// The smallest float ≥ `p`: `x < p ⇔ x < roundedUp(p)` for every float `x`.
    static func roundedUp(_ p: Double) -> Float {
        let f = Float(p)
        return Double(f) < p ? f.nextUp : f
    }

    /// Appends the forest's nodes reading `input` (scaled float rows); returns the score's name.
    @discardableResult
    static func isolationForest(_ model: IsolationForest.Model, input: String, into g: inout GraphBuilder) -> String {
        var treeIDs: [Int] = [], nodeIDs: [Int] = [], features: [Int] = [], values: [Float] = [], modes: [String] = []
        var trueIDs: [Int] = [], falseIDs: [Int] = []
        var targetTrees: [Int] = [], targetNodes: [Int] = [], weights: [Float] = []
        for (t, root) in model.treeRoots.enumerated() {
            // Local ids in depth-first order from the root; (global node, edges from the root).
            var local: [Int: Int] = [:]
            var order: [(node: Int, depth: Int)] = []
            var stack = [(Int(root), 0)]
            while let (n, depth) = stack.popLast() {
                local[n] = order.count
                order.append((n, depth))
                if model.splitFeature[n] >= 0 {
                    stack.append((Int(model.rightChild[n]), depth + 1))
                    stack.append((Int(model.leftChild[n]), depth + 1))
                }
            }
            for (n, depth) in order {
                treeIDs.append(t); nodeIDs.append(local[n] ?? 0)
                if model.splitFeature[n] >= 0 {
                    features.append(Int(model.splitFeature[n])); values.append(roundedUp(model.splitValue[n])); modes.append("BRANCH_LT")
                    trueIDs.append(local[Int(model.leftChild[n])] ?? 0); falseIDs.append(local[Int(model.rightChild[n])] ?? 0)
                } else {
                    features.append(0); values.append(0); modes.append("LEAF"); trueIDs.append(0); falseIDs.append(0)
                    targetTrees.append(t); targetNodes.append(local[n] ?? 0)
                    weights.append(Float(Double(depth) + IsolationForest.averagePathLength(Int(model.nodeSize[n]))))
                }
            }
        }
        let mean = g.node(
            "TreeEnsembleRegressor", [input],
            attributes: [
                Attribute.ints("nodes_treeids", treeIDs), Attribute.ints("nodes_nodeids", nodeIDs),
                Attribute.ints("nodes_featureids", features), Attribute.floats("nodes_values", values),
                Attribute.strings("nodes_modes", modes), Attribute.ints("nodes_truenodeids", trueIDs),
                Attribute.ints("nodes_falsenodeids", falseIDs),
                Attribute.ints("target_treeids", targetTrees), Attribute.ints("target_nodeids", targetNodes),
                Attribute.ints("target_ids", [Int](repeating: 0, count: targetTrees.count)), Attribute.floats("target_weights", weights),
                Attribute.int("n_targets", 1), Attribute.string("aggregate_function", "AVERAGE"),
                Attribute.string("post_transform", "NONE"),
            ], domain: "ai.onnx.ml")
        // E (N, 1) → (N); s = 2^(−E/c(ψ)), or 0.5 when c(ψ) = 0 (ψ = 1), as the Swift code defines it.
        let e = g.node("Reshape", [mean, g.constant("shape", int64: [-1], shape: [1])])
        let normaliser = IsolationForest.averagePathLength(model.sampleSize)
        if normaliser > 0 {
            let exponent = g.node("Div", [g.node("Neg", [e]), g.constant("c_psi", [Float(normaliser)], shape: [])])
            return g.node("Pow", [g.constant("two", [Float(2)], shape: []), exponent], output: Name.score)
        }
        let zero = g.node("Mul", [e, g.constant("zero", [Float(0)], shape: [])])
        return g.node("Add", [zero, g.constant("half", [Float(0.5)], shape: [])], output: Name.score)
    }
}

extension Attribute {
    static func floats(_ name: String, _ v: [Float]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .floats; a.floats = v
        return a
    }
    static func string(_ name: String, _ v: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .string; a.s = Data(v.utf8)
        return a
    }
    static func strings(_ name: String, _ v: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .strings; a.strings = v.map { Data($0.utf8) }
        return a
    }
}
