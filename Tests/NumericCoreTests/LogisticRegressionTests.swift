import Foundation
import Testing
@testable import NumericCore

/// statsmodels / scikit-learn reference values in `Fixtures/logistic_reference.json`, made by
/// `Fixtures/make_logistic_reference.py`.
struct LogisticFixture: Decodable {
    struct Reference: Decodable {
        let l2: Double
        let intercept: Double
        let coefficients: [Double]
    }
    struct Case: Decodable {
        let name: String
        let expect: String
        let X: [[Double]]
        let y: [Double]
        let weights: [Double]?
        let l2: Double
        let intercept: Double?
        let coefficients: [Double]?
        let standard_errors: [Double]?
        let intercept_standard_error: Double?
        let log_likelihood: Double?
        let objective: Double?
        let feature_index: Int?
        let dependent_column: Int?
        let l2_reference: Reference?
    }
    let cases: [Case]

    static let shared: LogisticFixture = {
        guard let url = Bundle.module.url(forResource: "logistic_reference", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let fixture = try? JSONDecoder().decode(LogisticFixture.self, from: data)
        else { fatalError("Fixtures/logistic_reference.json is missing or unreadable: rerun Fixtures/make_logistic_reference.py") }
        return fixture
    }()

    static func named(_ name: String) -> Case {
        guard let found = shared.cases.first(where: { $0.name == name }) else { fatalError("no case \(name)") }
        return found
    }
}

func relativelyClose(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * abs(b)
}

@Suite("Logistic regression")
struct LogisticRegressionTests {
    @Test("maximum likelihood equals statsmodels Logit", arguments: ["mle_small", "mle_imbalanced"])
    func maximumLikelihood(name: String) throws {
        let c = LogisticFixture.named(name)
        for threads in [1, 2] {
            let fit = try LogisticRegression(l2: 0, threads: threads).fit(matrix(c.X), labels: c.y)
            #expect(fit.converged)
            #expect(relativelyClose(fit.intercept, try #require(c.intercept), 1e-8))
            for (ours, theirs) in zip(fit.coefficients, try #require(c.coefficients)) {
                #expect(relativelyClose(ours, theirs, 1e-8), "\(ours) vs \(theirs)")
            }
            for (ours, theirs) in zip(fit.standardErrors, try #require(c.standard_errors)) {
                #expect(relativelyClose(ours, theirs, 1e-6), "\(ours) vs \(theirs)")
            }
            #expect(relativelyClose(fit.interceptStandardError, try #require(c.intercept_standard_error), 1e-6))
            #expect(relativelyClose(fit.logLikelihood, try #require(c.log_likelihood), 1e-10))
        }
    }

    @Test("an L2 penalty equals scikit-learn's LogisticRegression(C = 1/λ), weights included",
          arguments: ["l2_small", "l2_weighted"])
    func penalized(name: String) throws {
        let c = LogisticFixture.named(name)
        let fit = try LogisticRegression(l2: c.l2).fit(matrix(c.X), labels: c.y, weights: c.weights)
        #expect(relativelyClose(fit.intercept, try #require(c.intercept), 1e-7))
        for (ours, theirs) in zip(fit.coefficients, try #require(c.coefficients)) {
            #expect(relativelyClose(ours, theirs, 1e-7), "\(ours) vs \(theirs)")
        }
        #expect(relativelyClose(fit.objective, try #require(c.objective), 1e-10))
    }

    @Test("separated classes: an error without a penalty, a finite fit with one",
          arguments: ["separable", "quasi_separable"])
    func separation(name: String) throws {
        let c = LogisticFixture.named(name)
        let x = matrix(c.X)
        #expect(throws: LogisticRegression.Problem.self) { try LogisticRegression(l2: 0).fit(x, labels: c.y) }
        #expect(LogisticRegression.separatingColumns(x, labels: c.y).map(\.column) == [try #require(c.feature_index)])
        let reference = try #require(c.l2_reference)
        let fit = try LogisticRegression(l2: reference.l2).fit(x, labels: c.y)
        #expect(relativelyClose(fit.intercept, reference.intercept, 1e-6))
        for (ours, theirs) in zip(fit.coefficients, reference.coefficients) {
            #expect(relativelyClose(ours, theirs, 1e-6), "\(ours) vs \(theirs)")
        }
    }

    @Test("collinear columns: named without a penalty, unique with one")
    func collinear() throws {
        let c = LogisticFixture.named("collinear")
        let x = matrix(c.X)
        #expect(throws: LogisticRegression.Problem.rankDeficient(dependent: [try #require(c.dependent_column)])) {
            try LogisticRegression(l2: 0).fit(x, labels: c.y)
        }
        let reference = try #require(c.l2_reference)
        let fit = try LogisticRegression(l2: reference.l2).fit(x, labels: c.y)
        for (ours, theirs) in zip(fit.coefficients, reference.coefficients) {
            #expect(relativelyClose(ours, theirs, 1e-6), "\(ours) vs \(theirs)")
        }
    }

    @Test("a constant column is dependent on the intercept; a zero column too")
    func constantColumns() throws {
        let x = try Matrix(rowArrays: (0..<40).map { i in [Double(i % 7), 3, 0, Double(i % 5)] })
        let y = (0..<40).map { Double(($0 * 7 + 3) % 3 == 0 ? 1 : 0) }
        #expect(throws: LogisticRegression.Problem.rankDeficient(dependent: [1, 2])) {
            try LogisticRegression(l2: 0).fit(x, labels: y)
        }
    }

    @Test("probabilities: the logistic function of the linear predictor, any thread count")
    func probabilities() throws {
        let fit = LogisticRegression.Fit(intercept: 0.5, coefficients: [1, -2], interceptStandardError: 0, standardErrors: [0, 0],
                                         iterations: 1, converged: true, logLikelihood: 0, objective: 0)
        let rows = (0..<10_000).map { i in [Double(i % 13) / 4, Double(i % 7) / 3] }
        let x = try Matrix(rowArrays: rows)
        let one = try fit.probabilities(x, threads: 1)
        #expect(try fit.probabilities(x, threads: 2) == one)
        for (i, row) in rows.enumerated() {
            let expected = 1 / (1 + exp(-(0.5 + row[0] - 2 * row[1])))
            #expect(abs(one[i] - expected) <= 1e-15)
        }
        #expect(LogisticRegression.sigmoid(-800) == 0 || LogisticRegression.sigmoid(-800) < 1e-300)
        #expect(LogisticRegression.sigmoid(800) == 1)
    }

    @Test("many chunks (groups of partial sums): the same bits on 1 and 2 threads, a sensible fit")
    func manyChunks() throws {
        // 40.5 chunks of 2,048 rows: uneven groups, a short last chunk.
        let n = 2048 * 40 + 1000
        var random = SeededRandom(seed: 9)
        var rows = [[Double]](), labels = [Double]()
        for _ in 0..<n {
            let a = random.nextUnit() * 4 - 2, b = random.nextUnit() * 4 - 2
            rows.append([a, b])
            labels.append(random.nextUnit() < 1 / (1 + exp(-(0.5 + 1.5 * a - b))) ? 1 : 0)
        }
        let x = try Matrix(rowArrays: rows)
        let one = try LogisticRegression(l2: 0, threads: 1).fit(x, labels: labels)
        let two = try LogisticRegression(l2: 0, threads: 2).fit(x, labels: labels)
        #expect(one == two)
        // Close to the model the labels were drawn from (standard errors are about 0.01–0.02).
        #expect(abs(one.intercept - 0.5) < 0.1 && abs(one.coefficients[0] - 1.5) < 0.1 && abs(one.coefficients[1] + 1) < 0.1)
    }

    @Test("the warm start from every 8th row changes the path, not the optimum")
    func warmStart() throws {
        let n = LogisticRegression.warmStartRows + 5000
        var random = SeededRandom(seed: 11)
        var values = [Double](), labels = [Double]()
        for _ in 0..<n {
            let row = (0..<3).map { _ in random.nextUnit() * 2 - 1 }
            values += row
            labels.append(random.nextUnit() < 1 / (1 + exp(-(-0.3 + row[0] - 2 * row[1] + 0.5 * row[2]))) ? 1 : 0)
        }
        let x = try Matrix(rows: n, columns: 3, storage: values)
        for l2 in [0.0, 5.0] {
            let warm = try LogisticRegression(l2: l2, threads: 2).fit(x, labels: labels)
            var cold = try LogisticRegression(l2: l2, threads: 2)
            cold.usesWarmStart = false
            let reference = try cold.fit(x, labels: labels)
            #expect(warm.iterations < reference.iterations)
            #expect(relativelyClose(warm.intercept, reference.intercept, 1e-10))
            for (a, b) in zip(warm.coefficients, reference.coefficients) { #expect(relativelyClose(a, b, 1e-10)) }
        }
    }

    @Test("one class only is refused")
    func oneClass() throws {
        let x = try Matrix(rowArrays: [[1], [2], [3]])
        #expect(throws: LogisticRegression.Problem.oneClass(label: 1)) { try LogisticRegression().fit(x, labels: [1, 1, 1]) }
    }
}
