import Foundation
import Testing
import CustomerData

@Suite("Delimiter sniffing")
struct DelimiterSnifferTests {
    static func sniff(_ text: String, complete: Bool = true) -> Character {
        Character(UnicodeScalar(DelimiterSniffer.detect(bytes: Array(text.utf8), complete: complete)))
    }

    // Each expected separator worked out by hand from the rule in DelimiterSniffer's doc comment.
    @Test("the separator that splits every sampled record into the same number (> 1) of fields", arguments: [
        ("BOM and ';' (a generic European export)", "\u{FEFF}id;monetary;frequency;recency_days\nA;1;2;3\nB;4;5;6\n", ";"),
        ("';' with decimal commas: ',' gives 1 field in the header, 2 below", "id;amount\n1;12,50\n2;3,00\n", ";"),
        ("tab, with a comma in every city", "id\tcity\n1\tParis, France\n2\tLyon, France\n", "\t"),
        ("pipe", "a|b|c\n1|2|3\n", "|"),
        ("';' and a newline inside quotes do not count", "id,note\n1,\"a;b;c\"\n2,\"x\ny;z\"\n", ","),
        ("a doubled quote inside quotes", "id,note\n1,\"say \"\"a;b\"\"\"\n2,c\n", ","),
        ("two consistent candidates with 2 fields each: ',' wins the tie", "a,b;c\n1,2;3\n", ","),
        ("two consistent candidates: 3 fields beat 2", "a;b;c,d\n1;2;3,4\n", ";"),
        ("a ragged row: the header decides, so the reader reports the row", "a;b;c\n1;2;3\n4;5\n", ";"),
        ("one column: comma", "id\n1\n2\n", ","),
        ("empty file: comma", "", ","),
        ("blank lines and CR line ends", "a;b\r\r\n1;2\r\n\n3;4", ";"),
    ])
    func detect(name: String, text: String, expected: Character) {
        #expect(Self.sniff(text) == expected, "\(name)")
    }

    @Test("a cut last record is left out, unless the bytes are the whole file")
    func cutRecord() {
        // ';' splits all three records in two; ',' splits the first two in two and "4;5" in one.
        let text = "a;b,c\n1;2,3\n4;5"
        #expect(Self.sniff(text, complete: true) == ";")
        #expect(Self.sniff(text, complete: false) == ",")  // both consistent over two records: the tie goes to ','
    }

    @Test("only the first 20 records are looked at")
    func sampleSize() {
        // "1;2" has one field for ',' and two for ';'. As record 20 it makes ';' the only
        // consistent candidate; as record 21 it is not seen and ',' wins the tie.
        let head = "a;b,c\n"
        #expect(Self.sniff(head + String(repeating: "1;2,3\n", count: 18) + "1;2\n") == ";")
        #expect(Self.sniff(head + String(repeating: "1;2,3\n", count: 19) + "1;2\n") == ",")
    }

    @Test("from a file; an unreadable one names the file")
    func file() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sniff-\(UUID().uuidString.prefix(8)).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("\u{FEFF}客户编号|城市\nA1|北京\n".utf8).write(to: url)
        #expect(try DelimiterSniffer.detect(path: url.path) == UInt8(ascii: "|"))
        #expect(throws: CustomerDataError.unreadable(file: "missing.csv", reason: "No such file or directory")) {
            try DelimiterSniffer.detect(path: "/nonexistent-dir/missing.csv")
        }
    }
}
