// Reading model files: every length, offset, version and shape is checked before use.

import Foundation
import IMDADData
import IMDADEngine

extension TrainedModel {
    /// Reads a model file.
    public static func read(contentsOf url: URL) throws -> TrainedModel {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelFileError(file: url.path, position: "file", problem: "cannot be read (\(error.localizedDescription))")
        }
        return try decode([UInt8](data), file: url.path)
    }

    /// Decodes a model file's bytes; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> TrainedModel {
        func fail(_ position: String, _ problem: String, hint: String? = nil) -> ModelFileError {
            ModelFileError(file: file, position: position, problem: problem, hint: hint)
        }
        guard bytes.count >= 8 else {
            throw fail("byte 0", "file is \(bytes.count) bytes; expected at least 8 (header length)", hint: "the file is truncated")
        }
        let n = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n >= 2, n <= UInt64(bytes.count - 8), n <= 64 << 20 else {
            throw fail("byte 0", "header length \(n) does not fit the file's \(bytes.count) bytes",
                       hint: "this is not an imdad model file, or it is truncated")
        }
        let headerEnd = 8 + Int(n)
        guard let header = (try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))) as? [String: Any] else {
            throw fail("bytes 8..<\(headerEnd)", "header is not a JSON object", hint: "the file is damaged or not an imdad model")
        }
        guard let meta = header["__metadata__"] as? [String: String], let modelJSON = meta["imdad"] else {
            throw fail("header", "no \"__metadata__.imdad\" entry", hint: "a safetensors file not written by imdad")
        }
        // The checksum guards a damaged file; the version check gives a file from another version
        // advice rather than a decoding error. A description that does not even state its version
        // is reported as damaged when its checksum fails, as not imdad's otherwise.
        struct Version: Decodable { var format: String?; var formatVersion: Int?; var libraryVersion: String? }
        let version = try? JSONDecoder().decode(Version.self, from: Data(modelJSON.utf8))
        let dataSection = Array(bytes[headerEnd...])
        let crc = meta["imdad_crc32"].flatMap { UInt32($0) }
        let actual = crc32Checksum(Array(modelJSON.utf8) + dataSection)
        if version?.format == "imdad-model", let v = version?.formatVersion, !IMDADVersion.readableModelFormats.contains(v) {
            throw fail("header metadata", "model format version \(v) "
                       + "(written by imdad \(version?.libraryVersion ?? "?")); this is imdad \(IMDADVersion.library), "
                       + "which reads format versions \(IMDADVersion.readableModelFormats.lowerBound)–\(IMDADVersion.modelFormat)",
                       hint: "retrain the model with this version, or use the imdad version that wrote it")
        }
        if let format = version?.format, format != "imdad-model" {
            throw fail("header metadata", "not an imdad model description (format \"\(format.prefix(40))\")",
                       hint: "a safetensors file not written by imdad")
        }
        if let crc, actual != crc {
            throw fail("header metadata and bytes \(headerEnd)..<\(bytes.count)",
                       "checksum mismatch: expected CRC-32 \(crc) (stored in the header), the content has \(actual)",
                       hint: "the file was damaged (truncated or modified) after it was written")
        }
        guard let version, version.format == "imdad-model" else {
            throw fail("header metadata", "not an imdad model description", hint: "the file is damaged")
        }
        guard version.formatVersion.map(IMDADVersion.readableModelFormats.contains) == true else {
            throw fail("header metadata", "no model format version", hint: "the file is damaged")
        }
        guard crc != nil else { throw fail("header metadata", "no checksum") }
        let metadata: ModelMetadata
        do { metadata = try JSONDecoder().decode(ModelMetadata.self, from: Data(modelJSON.utf8)) } catch {
            throw fail("header metadata", "model description does not decode (\(error))")
        }
        // Tensor table.
        var tensors: [String: (dtype: String, shape: [Int], bytes: ArraySlice<UInt8>)] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let d = value as? [String: Any], let dtype = d["dtype"] as? String,
                  let shape = d["shape"] as? [Int], let offsets = d["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("tensor '\(name)'", "malformed entry; expected dtype, shape and data_offsets")
            }
            let size: Int
            switch dtype { case "F32", "I32": size = 4; case "F64": size = 8
            default: throw fail("tensor '\(name)'", "unsupported dtype \(dtype); expected F32, F64 or I32") }
            var count = 1
            for s in shape {
                guard s >= 0 else { throw fail("tensor '\(name)'", "negative extent in shape \(shape)") }
                let (p, o) = count.multipliedReportingOverflow(by: s)
                guard !o, p <= dataSection.count else { throw fail("tensor '\(name)'", "shape \(shape) is larger than the file") }
                count = p
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSection.count, offsets[1] - offsets[0] == count * size else {
                throw fail("tensor '\(name)'", "data offsets \(offsets) do not match shape \(shape) × \(size) bytes "
                           + "within the \(dataSection.count)-byte data section")
            }
            tensors[name] = (dtype, shape, dataSection[offsets[0]..<offsets[1]])
        }
        func floats(_ name: String, shape: [Int]) throws -> Tensor {
            guard let t = tensors[name] else { throw fail("tensor table", "tensor '\(name)' is missing") }
            guard t.dtype == "F32", t.shape == shape else {
                throw fail("tensor '\(name)'", "\(t.dtype) \(t.shape); expected F32 \(shape)")
            }
            return Tensor(shape: shape, scalars: load(t.bytes, as: Float.self))
        }
        func ints(_ name: String) throws -> [Int32] {
            guard let t = tensors[name], t.dtype == "I32", t.shape.count == 1 else {
                throw fail("tensor '\(name)'", "missing or not a 1-D I32 tensor")
            }
            return load(t.bytes, as: Int32.self)
        }
        /// An encoder read from the header is built only when its sizes are valid and its weights
        /// can fit in the data section (no huge allocation, no trap, on a damaged header).
        func check(_ encoder: EncoderArchitecture) throws {
            guard let weights = encoder.weightCount else {
                throw fail("header metadata 'encoder'", "\(encoder.name) has a layer size below 1 or too many weights")
            }
            guard weights <= dataSection.count / 4 else {
                throw fail("header metadata 'encoder'",
                           "\(encoder.name) needs \(weights) weights; the data section holds \(dataSection.count / 4) floats")
            }
        }
        /// Parameters of `body` filled from the file, names and shapes checked.
        func network(_ body: Sequential) throws -> Network {
            var rng = RandomGenerator(seed: 0)
            let specs = try body.makeParameters(using: &rng).map { spec -> ParameterSpec in
                var s = spec
                s.value = try floats(spec.name, shape: spec.value.shape)
                return s
            }
            return Network(body, parameters: Parameters(specs))
        }
        let fitted: FittedDetector
        switch metadata.method {
        case .imdad:
            guard let c = metadata.imdad else { throw fail("header metadata", "IMD-AD model without its configuration") }
            try check(c.encoder)
            let net = try network(IMDAD.body(c))
            fitted = .imdad(IMDAD(configuration: c, network: net, log: metadata.log))
        case .deepSADBalanced, .deepSADUniform, .deepSVDD, .deepSVDDSoftBoundary:
            guard let c = metadata.hypersphere, let center = metadata.center, let r2 = metadata.radiusSquared else {
                throw fail("header metadata", "\(metadata.method.displayName) model without configuration, center or radius")
            }
            try check(c.encoder)
            let net = try network(c.encoder.layers(bias: false))
            guard center.count == c.encoder.representationSize else {
                throw fail("header metadata", "center has \(center.count) coordinates; expected \(c.encoder.representationSize)")
            }
            fitted = .hypersphere(DeepSVDD(configuration: c, network: net, center: center, radiusSquared: r2,
                                           threshold: metadata.threshold, log: metadata.log))
        case .devnet:
            guard let c = metadata.devnet else { throw fail("header metadata", "DevNet model without its configuration") }
            try check(c.encoder)
            let net = try network(DevNet.body(c))
            fitted = .devnet(DevNet(configuration: c, network: net, threshold: metadata.threshold, log: metadata.log))
        case .isolationForest:
            guard let forest = metadata.isolationForest else {
                throw fail("header metadata", "Isolation Forest model without its configuration")
            }
            let shape = try ints("forest.shape")
            guard shape.count == 3 else { throw fail("tensor 'forest.shape'", "expected 3 values") }
            let result = IsolationForest.Model.validated(
                columns: Int(shape[0]), sampleSize: Int(shape[1]), heightLimit: Int(shape[2]),
                treeRoots: try ints("forest.tree_roots"), splitFeature: try ints("forest.split_feature"),
                splitValue: try {
                    guard let t = tensors["forest.split_value"], t.dtype == "F64" else {
                        throw fail("tensor 'forest.split_value'", "missing or not F64")
                    }
                    return load(t.bytes, as: Double.self)
                }(),
                leftChild: try ints("forest.left_child"), rightChild: try ints("forest.right_child"),
                nodeSize: try ints("forest.node_size"))
            switch result {
            case .success(let model):
                fitted = .isolationForest(IsolationForestDetector(forest: forest, model: model, threshold: metadata.threshold))
            case .failure(let e): throw fail("forest tensors", e.description)
            }
        }
        guard fitted.detector.featureCount == metadata.featureNames.count else {
            throw fail("header metadata",
                       "\(metadata.featureNames.count) feature names for a model of \(fitted.detector.featureCount) inputs")
        }
        if let scaler = metadata.scaler {
            if let problem = scaler.inconsistency { throw fail("header metadata 'scaler'", problem) }
            guard scaler.columns == metadata.featureNames.count else {
                throw fail("header metadata 'scaler'",
                           "fitted on \(scaler.columns) columns; the model has \(metadata.featureNames.count) features")
            }
        }
        if let schema = metadata.schema {
            guard schema.featureNames == metadata.featureNames else {
                throw fail("header metadata 'schema'", "its features differ from the model's featureNames")
            }
            if let problem = schema.inconsistency { throw fail("header metadata 'schema'", problem) }
        }
        for (name, v) in [("prototype", metadata.prototype), ("trainingMean", metadata.trainingMean)] {
            if let v, v.count != metadata.featureNames.count {
                throw fail("header metadata", "\(name) has \(v.count) values; expected \(metadata.featureNames.count), one per feature")
            }
        }
        var model = TrainedModel(fitted: fitted, method: metadata.method, seed: metadata.seed,
                                 featureNames: metadata.featureNames, scaler: metadata.scaler)
        // `network` and `scoreRule` are kept as stored (covered by the checksum; nil in older files):
        // this reader recomputes the network from the configuration, other programs read them.
        model.metadata = metadata
        return model
    }
}

/// Little-endian values from bytes at any alignment.
private func load<T: BitwiseCopyable>(_ bytes: ArraySlice<UInt8>, as: T.Type) -> [T] {
    bytes.withUnsafeBytes { raw in
        (0..<(raw.count / MemoryLayout<T>.size)).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
    }
}
