import Foundation
import Testing
@testable import NumericCore

@Suite("PCA against scikit-learn")
struct PCATests {
    struct Case: Decodable {
        let name: String
        let X: [[Double]]
        let n_components: Int
        let mean: [Double]
        let components: [[Double]]
        let explained_variance: [Double]
        let explained_variance_ratio: [Double]
        let transformed: [[Double]]
    }
    struct Fixture: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        guard let url = Bundle.module.url(forResource: "pca_reference", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url), let fixture = try? JSONDecoder().decode(Fixture.self, from: data)
        else { fatalError("Fixtures/pca_reference.json is missing or unreadable: rerun Fixtures/make_pca_reference.py") }
        return fixture.cases
    }()

    @Test("components, variances and projections equal sklearn's PCA to 1e-9", arguments: PCATests.cases.map(\.name))
    func matchesSklearn(name: String) throws {
        let c = try #require(PCATests.cases.first { $0.name == name })
        let pca = try PCA.fit(matrix(c.X), components: c.n_components)
        for (a, b) in zip(pca.mean, c.mean) { #expect(close(a, b, 1e-12)) }
        #expect(pca.components.rowArrays.count == c.components.count)
        for (got, want) in zip(pca.components.rowArrays, c.components) {
            for (a, b) in zip(got, want) { #expect(close(a, b, 1e-9), "\(name): component \(a) vs \(b)") }
        }
        #expect(pca.explainedVariance.count == c.n_components && pca.explainedVarianceRatio.count == c.n_components)
        #expect(pca.components.rows == c.n_components && pca.mean.count == c.mean.count)
        for (a, b) in zip(pca.explainedVariance, c.explained_variance) { #expect(abs(a - b) <= 1e-9 * abs(b)) }
        for (a, b) in zip(pca.explainedVarianceRatio, c.explained_variance_ratio) { #expect(close(a, b, 1e-9)) }
        let projected = try pca.transform(matrix(c.X))
        for (got, want) in zip(projected.rowArrays, c.transformed) {
            for (a, b) in zip(got, want) { #expect(abs(a - b) <= 1e-8 * max(1, abs(b)), "\(name): projection \(a) vs \(b)") }
        }
    }

    @Test("hand-worked: points on the line y = 2x give one component (1, 2)/√5 with all the variance")
    func line() throws {
        let pca = try PCA.fit(matrix([[0, 0], [1, 2], [2, 4], [3, 6]]), components: 2)
        #expect(abs(pca.components[0, 0] - 1 / 5.0.squareRoot()) < 1e-12)
        #expect(abs(pca.components[0, 1] - 2 / 5.0.squareRoot()) < 1e-12)
        // Variance along the line: |(x, 2x)|² spread = 5 · var(0,1,2,3) with n − 1 = 5 · 5/3.
        #expect(abs(pca.explainedVariance[0] - 25.0 / 3) < 1e-12)
        #expect(abs(pca.explainedVarianceRatio[0] - 1) < 1e-12)
        #expect(abs(pca.explainedVariance[1]) < 1e-12)
    }

    @Test("bad arguments are refused with sklearn's wording")
    func errors() throws {
        #expect(throws: NumericError.invalidParameter(name: "n_components", allowed: "an int in the range [1, 2]", got: "3")) {
            try PCA.fit(matrix([[0, 0], [1, 1]]), components: 3)
        }
        #expect(throws: NumericError.tooFewSamples(samples: 1, required: 2, reason: "a 2-D projection needs a spread of rows")) {
            try PCA.fit(matrix([[0, 0]]), components: 1)
        }
    }
}
