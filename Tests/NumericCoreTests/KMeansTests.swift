import Testing
@testable import NumericCore

@Suite("k-means against scikit-learn")
struct KMeansTests {
    let fixture = ReferenceFixture.shared

    @Test("Lloyd from given centroids reproduces sklearn's partition, inertia, centres and n_iter",
          arguments: [1, 2])
    func lloydMatchesSklearn(threads: Int) throws {
        for reference in fixture.lloyd_cases + [fixture.empty_cluster_case] {
            let data = matrix(reference.X)
            let start = matrix(reference.initial)
            let kmeans = try KMeans(k: start.rows, initialization: .given(start), maxIterations: reference.max_iter,
                                    tolerance: reference.tol, threads: threads)
            let result = try kmeans.fit(data)
            #expect(result.labels == reference.labels, "\(reference.name ?? "empty cluster case")")
            #expect(abs(result.model.inertia - reference.inertia) / reference.inertia < 1e-9, "\(reference.name ?? "empty")")
            #expect(result.model.iterations == reference.n_iter, "\(reference.name ?? "empty")")
            for (got, want) in zip(result.model.centroids.rowArrays, reference.centers) {
                for (g, w) in zip(got, want) { #expect(close(g, w, 1e-9)) }
            }
        }
    }

    @Test("Both assignment kernels give the same labels")
    func kernelsAgree() throws {
        let reference = fixture.lloyd_cases[3]
        let data = matrix(reference.X)
        let start = matrix(reference.initial)
        var labels = [[Int32]]()
        for kernel in [AssignmentKernel.fused, .gemm] {
            let kmeans = try KMeans(k: start.rows, initialization: .given(start), maxIterations: reference.max_iter,
                                    tolerance: reference.tol, kernel: kernel)
            labels.append(try kmeans.fit(data).labels)
        }
        #expect(labels[0] == labels[1])
        #expect(labels[0] == reference.labels)
    }

    @Test("A row gets the same label scored in a group of four or alone, even where rounding decides it")
    func labelDoesNotDependOnPosition() throws {
        // Points in a cube of side 3 around (1e7, …): the expanded scores ‖c‖² − 2x·c are off by
        // about 0.2 there, more than many rows' true margins, so the arithmetic decides labels.
        var rng = SeededRandom(seed: 4)
        let rows = 2000, d = 4
        let data = Matrix(unchecked: rows, d, (0..<(rows * d)).map { _ in 1e7 + 3 * rng.nextUnit() })
        // k ≤ 8: the kernel scores rows four at a time, with a remainder scored alone (for
        // k > 8 every row is scored alone, so position cannot matter there).
        for k in [3, 6] {
            let centroids = data.selectingRows(Array(stride(from: 7, to: 7 + 97 * k, by: 97))).storage
            let together = LloydEngine(data: data, k: k, threads: 1, kernel: .fused).assign(centroids: centroids)
            for i in 0..<rows {
                let alone = LloydEngine(data: data.selectingRows([i]), k: k, threads: 1, kernel: .fused)
                #expect(alone.assign(centroids: centroids) == [together[i]], "row \(i), k = \(k)")
            }
        }
    }

    @Test("k-means++ finds planted clusters: ARI ≥ 0.99, inertia no worse than sklearn's best of 10")
    func plantedClusters() throws {
        let planted = fixture.planted
        for seed in [UInt64(0), 1, 2] {
            let result = try KMeans(k: planted.k, seed: seed).fit(matrix(planted.X))
            #expect(adjustedRandIndex(result.labels, planted.true_labels) >= 0.99)
            #expect(result.model.inertia <= planted.best_of_10_inertia * (1 + 1e-9))
        }
    }

    @Test("Random init with restarts also finds the planted clusters")
    func randomInit() throws {
        let planted = fixture.planted
        let result = try KMeans(k: planted.k, initialization: .random, seed: 3).fit(matrix(planted.X))
        #expect(adjustedRandIndex(result.labels, planted.true_labels) >= 0.99)
        #expect(result.model.restartInertias.count == 10)
        #expect(result.model.inertia == result.model.restartInertias.min())
    }

    @Test("Same seed gives identical results whatever the thread count")
    func deterministicAcrossThreads() throws {
        // Enough rows for many chunks, so threads really split the work.
        var rng = SeededRandom(seed: 11)
        let rows = 20_000, columns = 5
        let values = (0..<(rows * columns)).map { i in Double(i % 3) * 4 + rng.nextUnit() }
        let data = try Matrix(rows: rows, columns: columns, storage: values)
        let one = try KMeans(k: 6, seed: 9, threads: 1).fit(data)
        let two = try KMeans(k: 6, seed: 9, threads: 2).fit(data)
        let three = try KMeans(k: 6, seed: 9, threads: 3).fit(data)
        #expect(one.labels == two.labels && two.labels == three.labels)
        #expect(one.model == two.model && two.model == three.model)
        #expect(one.model.inertia.bitPattern == three.model.inertia.bitPattern)
    }

    @Test("Clusters renumbered by decreasing size keep rows together")
    func orderedBySize() throws {
        let data = matrix([[0], [0.1], [10], [10.1], [10.2], [20]])
        let start = matrix([[20], [0], [10]])
        let result = try KMeans(k: 3, initialization: .given(start)).fit(data).orderedBySize()
        #expect(result.labels == [1, 1, 0, 0, 0, 2])
        #expect(result.clusterSizes == [3, 2, 1])
        #expect(close(result.model.centroids[0, 0], 10.1, 1e-12))
    }

    @Test("Parameters are validated with sklearn-style messages")
    func parameterValidation() throws {
        #expect(throws: NumericError.invalidParameter(name: "k", allowed: "an int in the range [1, inf)", got: "0")) {
            try KMeans(k: 0)
        }
        let error = NumericError.tooFewSamples(
            samples: 2, required: 3, reason: "k-means needs at least as many rows as clusters (k=3)")
        #expect(throws: error) { try KMeans(k: 3).fit(matrix([[1], [2]])) }
        #expect(error.description == "2 rows are too few, at least 3 are needed: k-means needs at least as many rows as clusters (k=3)")
        #expect(throws: NumericError.nonFinite(row: 1, column: 0, value: .infinity)) {
            try KMeans(k: 1).fit(matrix([[1], [.infinity]]))
        }
        #expect(NumericError.nonFinite(row: 1, column: 0, value: .infinity).description == "row 2, column 1: inf is not a finite number")
    }

    @Test("Shape errors say what was being done in a user's words, never a type or function name")
    func shapeMessages() throws {
        let model = KMeansModel(centroids: matrix([[0, 0, 0], [1, 1, 1]]))
        #expect(throws: NumericError.shapeMismatch(operation: "assigning rows to the saved clusters",
                                                   expected: "3 feature columns, as the centroids have", got: "1x2")) {
            try model.assign(matrix([[1, 2]]))
        }
        #expect(NumericError.shapeMismatch(operation: "assigning rows to the saved clusters",
                                           expected: "3 feature columns, as the centroids have", got: "1x2").description
                == "assigning rows to the saved clusters: expected 3 feature columns, as the centroids have, got 1x2")
        #expect(throws: NumericError.shapeMismatch(operation: "a table of numbers", expected: "2 columns in every row", got: "1 column in row 2")) {
            try Matrix(rowArrays: [[1, 2], [3]])
        }
    }

    @Test("Identical rows: fewer distinct points than k still terminates with k centroids")
    func duplicatePoints() throws {
        let data = matrix([[1, 1], [1, 1], [1, 1], [5, 5]])
        let result = try KMeans(k: 3, seed: 1).fit(data)
        #expect(result.model.centroids.rows == 3)
        #expect(result.model.inertia == 0)
    }
}

@Suite("k-means distances computed last")
struct KMeansDistancesLastTests {
    private func data(rows: Int = 40_000, columns: Int = 5) throws -> Matrix {
        var rng = SeededRandom(seed: 3)
        var values = [Double]()
        for i in 0..<rows {
            let centre = Double(i % 4) * 6
            for _ in 0..<columns { values.append(centre + rng.nextUnit() * 2) }
        }
        return try Matrix(rows: rows, columns: columns, storage: values)
    }

    @Test("without distances the fit is the same, bit for bit, and the distances come later from the matrix")
    func sameFit() throws {
        let x = try data()
        for nInit in [1, 3] {
            let kmeans = try KMeans(k: 4, nInit: nInit, seed: 5, threads: 2)
            let full = try kmeans.fit(x)
            let bare = try kmeans.fit(x, distances: false)
            #expect(bare.squaredDistances.isEmpty)
            #expect(bare.labels == full.labels)
            #expect(bare.model.inertia.bitPattern == full.model.inertia.bitPattern)
            #expect(bare.model.restartInertias.map(\.bitPattern) == full.model.restartInertias.map(\.bitPattern))
            var owned = try data()
            let later = try bare.model.squaredDistances(releasing: &owned, labels: bare.labels, threads: 2)
            #expect(later.map(\.bitPattern) == full.squaredDistances.map(\.bitPattern))
            #expect(owned.rows == 0)
        }
    }

    @Test("a copy that shares the matrix keeps its values; bad labels are refused")
    func sharedCopy() throws {
        let x = try data(rows: 200_000, columns: 4)
        let before = x.storage.reduce(0, +)
        let fit = try KMeans(k: 4, seed: 1, threads: 2).fit(x)
        var shared = x
        let distances = try fit.model.squaredDistances(releasing: &shared, labels: fit.labels, threads: 2)
        #expect(x.storage.reduce(0, +) == before)
        #expect(distances.map(\.bitPattern) == fit.squaredDistances.map(\.bitPattern))
        var again = x
        #expect(throws: NumericError.self) {
            try fit.model.squaredDistances(releasing: &again, labels: Array(fit.labels.dropLast()), threads: 2)
        }
        var wrong = fit.labels
        wrong[7] = 9
        #expect(throws: NumericError.self) { try fit.model.squaredDistances(releasing: &again, labels: wrong, threads: 2) }
    }

    @Test("ordering by size in place renumbers labels as the copying form does")
    func orderInPlace() throws {
        let fit = try KMeans(k: 4, seed: 2, threads: 1).fit(try data(rows: 1_000))
        var inPlace = fit
        inPlace.orderBySize()
        let copied = fit.orderedBySize()
        #expect(inPlace.labels == copied.labels && inPlace.model == copied.model)
        #expect(inPlace.clusterSizes == inPlace.clusterSizes.sorted(by: >))
    }
}
