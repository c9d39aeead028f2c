/// The buy-till-you-die summary of each customer in a calibration period, in periods (days
/// or weeks): the input of BG/NBD and Pareto/NBD.
///
/// `frequency` is the number of repeat purchase periods, `recency` the age at the last
/// purchase (0 without repeats) and `T` the age at the end of the period, as lifetimes'
/// `summary_data_from_transaction_data` defines them.
public struct RepeatPurchases: Sendable, Equatable {
    public let frequency: [Double]
    public let recency: [Double]
    public let T: [Double]

    /// - Throws: `NumericError.invalidParameter` when the arrays differ in length, or a
    ///   customer has frequency < 0, recency < 0, recency > T, or a non-finite value (row given).
    public init(frequency: [Double], recency: [Double], T: [Double]) throws {
        guard frequency.count == recency.count, recency.count == T.count else {
            throw NumericError.shapeMismatch(operation: "summarizing repeat purchases",
                                             expected: "\(frequency.count) recencies and ages", got: "\(recency.count) and \(T.count)")
        }
        for i in frequency.indices {
            let (x, r, t) = (frequency[i], recency[i], T[i])
            guard x.isFinite, r.isFinite, t.isFinite, x >= 0, r >= 0, r <= t, x > 0 || r == 0 else {
                throw NumericError.invalidParameter(
                    name: "customer \(i + 1)", allowed: "frequency ≥ 0 and 0 ≤ recency ≤ T (recency 0 when frequency is 0)",
                    got: "frequency \(x), recency \(r), T \(t)")
            }
        }
        self.frequency = frequency
        self.recency = recency
        self.T = T
    }

    public var count: Int { frequency.count }

    /// The distinct frequencies and, per customer, the index of its frequency among them:
    /// the likelihood's gamma-function terms depend on the frequency only.
    func distinctFrequencies() -> (values: [Double], counts: [Double], index: [Int32]) {
        var position = [Double: Int32]()
        var values = [Double](), counts = [Double]()
        var index = [Int32](repeating: 0, count: count)
        for (i, x) in frequency.enumerated() {
            if let k = position[x] {
                index[i] = k
                counts[Int(k)] += 1
            } else {
                let k = Int32(values.count)
                position[x] = k
                values.append(x)
                counts.append(1)
                index[i] = k
            }
        }
        return (values, counts, index)
    }
}

/// Customers with the same (frequency, recency, T) as one row with a weight, as Fader and
/// Hardie condense the data: the likelihoods are evaluated once per row, in order of first
/// appearance.
struct PurchasePatterns {
    let frequency: [Double], recency: [Double], T: [Double], weight: [Double]

    init(_ data: RepeatPurchases) {
        struct Key: Hashable { let x, r, t: UInt64 }
        var position = [Key: Int]()
        position.reserveCapacity(min(data.count, 1 << 16))
        var frequency = [Double](), recency = [Double](), T = [Double](), weight = [Double]()
        for i in 0..<data.count {
            let key = Key(x: data.frequency[i].bitPattern, r: data.recency[i].bitPattern, t: data.T[i].bitPattern)
            if let k = position[key] {
                weight[k] += 1
            } else {
                position[key] = frequency.count
                frequency.append(data.frequency[i])
                recency.append(data.recency[i])
                T.append(data.T[i])
                weight.append(1)
            }
        }
        (self.frequency, self.recency, self.T, self.weight) = (frequency, recency, T, weight)
    }
}

/// Standard errors of maximum-likelihood estimates: the square roots of the diagonal of the
/// inverse of the observed information (the Hessian of the total negative log-likelihood in
/// the natural parameters), the Hessian by central differences of the analytic gradient.
enum StandardErrors {
    /// - Parameter gradient: the gradient of the total negative log-likelihood in the natural
    ///   parameters at a point.
    /// - Returns: nil when the Hessian is not positive definite (a boundary fit).
    static func of(_ parameters: [Double], gradient: ([Double]) -> [Double]) -> [Double]? {
        let n = parameters.count
        var hessian = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for j in 0..<n {
            let h = 1e-5 * max(abs(parameters[j]), 1e-8)
            var up = parameters, down = parameters
            up[j] += h
            down[j] -= h
            let (gu, gd) = (gradient(up), gradient(down))
            for i in 0..<n { hessian[i][j] = (gu[i] - gd[i]) / (2 * h) }
        }
        for i in 0..<n { for j in 0..<i { let m = (hessian[i][j] + hessian[j][i]) / 2; hessian[i][j] = m; hessian[j][i] = m } }
        guard let inverse = invertSPD(hessian) else { return nil }
        return (0..<n).map { inverse[$0][$0].squareRoot() }
    }

    /// Inverse of a small symmetric positive definite matrix by Cholesky; nil if it is not.
    static func invertSPD(_ a: [[Double]]) -> [[Double]]? {
        let n = a.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i][j]
                for k in 0..<j { s -= l[i][k] * l[j][k] }
                if i == j {
                    guard s > 0, s.isFinite else { return nil }
                    l[i][i] = s.squareRoot()
                } else {
                    l[i][j] = s / l[j][j]
                }
            }
        }
        var inverse = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for column in 0..<n {
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                var s = i == column ? 1.0 : 0.0
                for k in 0..<i { s -= l[i][k] * y[k] }
                y[i] = s / l[i][i]
            }
            var x = [Double](repeating: 0, count: n)
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = y[i]
                for k in (i + 1)..<n { s -= l[k][i] * x[k] }
                x[i] = s / l[i][i]
            }
            for i in 0..<n { inverse[i][column] = x[i] }
        }
        return inverse
    }
}
