import CustomerData
import Foundation
import NumericCore

/// `--init CENTROIDS.csv`: a header of feature names (any order) and one row per centroid, in
/// scaled units.
enum CentroidsFile {
    static func read(path: String, features: [String]) throws -> Matrix {
        let table = try CSVReader.read(path: path)
        let file = table.source
        let missing = features.filter { table.index(of: $0) == nil }
        guard missing.isEmpty else {
            throw SegmentationError.centroidsFile(
                file: file, problem: "the header lacks feature column(s) \(missing.map { "'\($0)'" }.joined(separator: ", ")); it must name every feature: \(features.joined(separator: ", "))")
        }
        var values = [Double](repeating: 0, count: table.rowCount * features.count)
        for (f, name) in features.enumerated() {
            guard let j = table.index(of: name) else { continue }
            guard case .numeric(let column) = table.columns[j] else {
                throw SegmentationError.centroidsFile(file: file, problem: "column '\(name)' must hold numbers")
            }
            for i in 0..<table.rowCount {
                guard !column.values[i].isNaN else {
                    throw SegmentationError.centroidsFile(
                        file: file, problem: "line \(table.line(ofRow: i)): column '\(name)' is empty; every centroid needs every feature")
                }
                values[i * features.count + f] = column.values[i]
            }
        }
        return try Matrix(rows: table.rowCount, columns: features.count, storage: values)
    }
}
