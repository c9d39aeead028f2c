import CustomerData
import Foundation
import SyntheticData
@testable import ProfileStore

/// A scratch folder for one test.
struct Scratch {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("persona-store-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }
}

/// A messy order log: returns, zero amounts, negative prices, exact duplicates, blank ids,
/// ids written `17.0`, several lines per order, categories, dates over two years.
struct MessyOrderLog {
    static let header = "order,customer,date,price,quantity,category"

    /// Lines without the header, in time order unless `shuffled`.
    static func lines(seed: UInt64, count: Int, customers: Int = 60) -> [String] {
        var random = SeededGenerator(seed: seed)
        var lines = [(time: Int, text: String)]()
        let categories = ["Toys", "Books", "Garden", "Kitchen", "Tools", "Music"]
        var order = 1000
        while lines.count < count {
            order += 1
            let c = random.integer(below: customers)
            let id = random.bernoulli(0.03) ? "" : (random.bernoulli(0.1) ? "\(100 + c).0" : "\(100 + c)")
            let day = random.integer(below: 730)
            let time = day * 86_400 + random.integer(below: 86_400)
            let items = 1 + random.integer(below: 3)
            let isReturn = random.bernoulli(0.08)
            for _ in 0..<items {
                let price = random.bernoulli(0.02) ? "-\(1 + random.integer(below: 50)).5" : (random.bernoulli(0.03) ? "0" : "\(1 + random.integer(below: 80)).\(random.integer(below: 100))")
                let quantity = (isReturn ? -1 : 1) * (1 + random.integer(below: 4))
                let date = TimestampFormat.text(Int64(1_640_995_200 + time))
                let text = "\(isReturn ? "C" : "")\(order),\(id),\(date),\(price),\(quantity),\(categories[random.integer(below: categories.count)])"
                lines.append((time, text))
                if random.bernoulli(0.02) { lines.append((time, text)) }  // an exact duplicate
            }
        }
        return lines.sorted { $0.time < $1.time }.map(\.text)
    }

    static func options(order: Bool = true, category: Bool = true, dedupe: Bool = false, normalize: Bool = false) -> OrderLogOptions {
        var options = OrderLogOptions(customer: "customer", date: "date", amount: .priceTimesQuantity(price: "price", quantity: "quantity"))
        options.order = order ? "order" : nil
        options.category = category ? "category" : nil
        options.dedupe = dedupe
        options.normalizeIDs = normalize
        return options
    }
}

extension Scratch {
    /// Writes the batches (each with the header) and their concatenation; returns the batch paths
    /// and the concatenation's path.
    func batches(_ parts: [[String]], name: String = "batch") throws -> (batches: [String], all: String) {
        var paths = [String]()
        for (i, part) in parts.enumerated() {
            paths.append(try write("\(name)\(i).csv", ([MessyOrderLog.header] + part).joined(separator: "\n") + "\n"))
        }
        let all = try write("\(name)-all.csv", ([MessyOrderLog.header] + parts.flatMap { $0 }).joined(separator: "\n") + "\n")
        return (paths, all)
    }
}
