import Testing
@testable import NumericCore

@Suite("Progress reports")
struct ProgressTests {
    @Test("k-means reports every Lloyd iteration of every restart, against the iteration limit")
    func kMeans() throws {
        let planted = ReferenceFixture.shared.planted
        var events = [WorkProgress]()
        let result = try KMeans(k: planted.k, nInit: 2, maxIterations: 50, seed: 1).fit(matrix(planted.X)) { events.append($0) }
        let steps = ["k-means k=\(planted.k), restart 1 of 2", "k-means k=\(planted.k), restart 2 of 2"]
        #expect(Set(events.map(\.step)) == Set(steps))
        #expect(events.allSatisfy { $0.unit == .iterations && $0.total == 50 && $0.fraction == nil })
        for step in steps {
            let done = events.filter { $0.step == step }.map(\.done)
            #expect(done == Array(1...done.count))
        }
        #expect(events.filter { $0.step == steps[0] }.count + events.filter { $0.step == steps[1] }.count == events.count)
        #expect(result.model.iterations <= 50)
    }

    @Test("Newton's method reports each iteration before it runs, starting from 0")
    func logistic() throws {
        let c = LogisticFixture.named("mle_small")
        var events = [WorkProgress]()
        let fit = try LogisticRegression(l2: 0).fit(matrix(c.X), labels: c.y) { events.append($0) }
        #expect(events.map(\.done) == Array(0..<fit.iterations))
        #expect(events.allSatisfy { $0.step == "Newton's method" && $0.total == 100 && $0.unit == .iterations })
    }

    @Test("the share done is known for bytes, rows and fits, never for an iteration limit")
    func fraction() {
        #expect(WorkProgress(step: "reading", done: 25, total: 100, unit: .bytes).fraction == 0.25)
        #expect(WorkProgress(step: "encoding", done: 3, total: 4, unit: .rows).fraction == 0.75)
        #expect(WorkProgress(step: "folds", done: 5, total: 5, unit: .fits).fraction == 1)
        #expect(WorkProgress(step: "reading", done: 25, total: nil, unit: .bytes).fraction == nil)
        #expect(WorkProgress(step: "k-means", done: 10, total: 300, unit: .iterations).fraction == nil)
        #expect(WorkProgress.started("scoring") == WorkProgress(step: "scoring", done: 0, total: nil, unit: .fits))
    }
}
