import Foundation
import Testing
@testable import CustomerData

/// Bugs the fuzz targets found (Tests/FuzzTests), pinned with values worked out by hand. The
/// inputs that found them are also under Tests/FuzzTests/Corpus/*/regressions/.
@Suite("Fuzz findings: number words, quoted line ends, order-log headers")
struct FuzzFindingsTests {
    private func parse(_ text: String) -> ParsedNumber {
        let bytes = Array(text.utf8) + [0]  // never empty, so there is a base address
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { NumberParser.parse($0, bytes.count - 1) } ?? .notANumber
        }
    }

    @Test("a control byte is not read as the punctuation of a missing-value or NaN word")
    func controlBytesInWords() {
        // 0x0F | 0x20 is '/', 0x0D | 0x20 is '-', 0x03 | 0x20 is '#': these once read as n/a, -nan, #n/a.
        #expect(parse("n\u{0F}a") == .notANumber)
        #expect(parse("\rnan") == .notANumber)
        #expect(parse("\u{03}N/A") == .notANumber)
        // The words themselves, in any ASCII case, still are what they were.
        #expect(parse("N/A") == .missing)
        #expect(parse("#n/a") == .missing)
        #expect(parse("-NaN") == .nonFinite)
    }

    @Test("a lone CR inside a quoted field is a line, like one outside quotes")
    func loneCarriageReturnInQuotes() throws {
        // Line 1 header; the record on line 2 holds a CR inside quotes, so the next starts on line 4.
        let table = try readCSV("a,b\n\"x\ry\",1\nz,2\n", id: nil)
        #expect(table.rowLines == [2, 4])
        // \r\n inside quotes is one line end, not two.
        #expect(try readCSV("a,b\n\"x\r\ny\",1\nz,2\n", id: nil).rowLines == [2, 4])
    }

    @Test("an order log's header reads the same when a block ends inside it")
    func headerAcrossBlocks() throws {
        // Blank lines first, then a header whose quoted last name holds a line break.
        let path = try temporaryFile("orders.csv", "\n\n\ncustomer,date,amount,\"note\nmore\"\nc1,2024-01-02,5,x\nc1,2024-01-04,7,y\n")
        let options = OrderLogOptions(customer: "customer", date: "date", amount: .column("amount"))
        var small = options
        small.blockSize = 16
        for features in [try OrderLogReader.features(path: path, options: options), try OrderLogReader.features(path: path, options: small)] {
            #expect(features.ids == ["c1"])
            #expect(numbers(features, "monetary") == [12])
            #expect(features.report.lines == 2)
        }
    }
}
