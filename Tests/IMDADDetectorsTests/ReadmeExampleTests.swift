// The README's "Swift library" example, line for line, so that it keeps compiling and running.
import Foundation
import XCTest
import IMDADEngine
import IMDADDetectors

final class ReadmeExampleTests: XCTestCase {
    func testTheReadmeLibraryExampleRuns() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).imdad").path
        defer { try? FileManager.default.removeItem(atPath: path) }

        let x = Tensor(shape: [4, 2], scalars: [0.1, 0.2,  0.2, 0.1,  0.15, 0.15,  0.9, 0.95])  // scaled to [0, 1]
        let data = try LabeledData(features: x, labels: [0, 0, 0, 1])                          // 1 = known anomaly
        let configuration = IMDADConfiguration(encoder: .tabular(inputs: 2))                   // ν 0.7, κ 10, ν_R 0.1
        var rng = RandomGenerator(seed: 0)
        let model = try IMDAD.fit(configuration, data: data, using: &rng)
        print(model.scores(x), model.zones(x), model.predict(x))                               // s(x), zone, s > 0
        let file = TrainedModel(fitted: .imdad(model), method: .imdad, seed: 0, featureNames: ["a", "b"], scaler: nil)
        try file.write(to: URL(fileURLWithPath: path), overwrite: true)
        let loaded = try TrainedModel.read(contentsOf: URL(fileURLWithPath: path))

        XCTAssertEqual(loaded.detector.scores(x), model.scores(x))
        XCTAssertEqual(model.zones(x).count, 4)
    }
}
