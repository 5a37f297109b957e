// `imdad bench engine --only`: which encoders a filter selects.
import XCTest

@testable import IMDADExperiments

final class SpeedBenchmarkTests: XCTestCase {
    private func names(_ filter: String?) -> [String] { SpeedBenchmark.encoders(matching: filter).map(\.encoder.name) }

    /// An exact name selects that encoder alone; other text selects every name containing it.
    func testAnExactNameSelectsOneEncoderAndTextSelectsEveryMatch() {
        XCTAssertEqual(names("MNIST LeNet"), ["MNIST LeNet"])
        XCTAssertEqual(names("Fashion-MNIST LeNet"), ["Fashion-MNIST LeNet"])
        XCTAssertEqual(names("MNIST"), ["Fashion-MNIST LeNet", "MNIST LeNet"])
        XCTAssertEqual(names("CIFAR"), ["CIFAR-10 LeNet"])
        XCTAssertEqual(names("MLP").count, 2)
        XCTAssertEqual(names(nil).count, SpeedBenchmark.encoders.count)
        XCTAssertEqual(names("no such encoder"), [])
    }
}
