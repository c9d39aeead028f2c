import Testing
@testable import CustomerData

@Suite("Compact line numbers and id offsets")
struct CompactColumnsTests {
    @Test("consecutive lines are one run; a jump starts a new one; values read back as appended")
    func runs() {
        var lines = LineNumbers()
        for line: Int32 in [2, 3, 4, 6, 7, 10] { lines.append(line) }
        #expect(Array(lines) == [2, 3, 4, 6, 7, 10])
        #expect(lines.count == 6)
        #expect(lines[3] == 6 && lines[5] == 10)
        #expect(lines == [2, 3, 4, 6, 7, 10])
        #expect(lines != [2, 3, 4, 6, 7, 11])
        lines.removeAll()
        #expect(lines.isEmpty)
        lines.append(9)
        #expect(Array(lines) == [9])
    }

    @Test("when most rows start a run (records spanning lines) it switches to one line per row")
    func dense() {
        // Every record takes two lines: 100,000 runs of one row each.
        let expected = (0..<100_000).map { Int32(2 + 2 * $0) }
        let lines = LineNumbers(expected)
        #expect(Array(lines) == expected)
        #expect(lines[77_777] == 2 + 2 * 77_777)
    }

    @Test("appending a prefix of another with a shift equals appending its lines one by one")
    func appendPrefix() {
        let runs = LineNumbers([1, 2, 3, 7, 8, 20, 21, 22])
        let denseLines = LineNumbers((0..<300).map { Int32(3 * $0) })
        for other in [runs, denseLines] {
            for n in [0, 1, 3, 4, 5, 8, 100] {
                var whole = LineNumbers([5, 6])
                whole.append(other, prefix: n, shift: 10)
                let expected: [Int32] = [5, 6] + other.prefix(n).map { $0 + 10 }
                #expect(Array(whole) == expected, "prefix \(n)")
            }
        }
        // A prefix that continues the last run merges into it.
        var joined = LineNumbers([1, 2])
        joined.append(LineNumbers([0, 1, 5]), prefix: 3, shift: 3)
        #expect(Array(joined) == [1, 2, 3, 4, 8])
    }

    @Test("id offsets past 4 GiB read back through the wrap list")
    func offsetsPastFourGiB() {
        let big = 1 << 32
        let values = [0, 5, big - 1, big, big + 3, 2 * big + 1, 3 * big + 7, 5 * big]
        var offsets = IdentifierOffsets()
        for v in values.dropFirst() { offsets.append(v) }
        #expect(offsets.count == values.count)
        #expect((0..<values.count).map { offsets[$0] } == values)
        let viewed = offsets.withView { view in (0..<values.count).map { view[$0] } }
        #expect(viewed == values)
        offsets.reset()
        #expect(offsets.count == 1 && offsets[0] == 0)
    }

    @Test("ids read across many blocks keep their bytes and line numbers")
    func idsAcrossBlocks() throws {
        var text = "id,x\n"
        for i in 0..<30_000 { text += "c\(i),\(i % 7)\n" }
        var options = CSVReadOptions()
        options.idColumn = "id"
        options.threads = 2
        options.blockBytes = 4096
        let table = try CSVReader.read(bytes: Array(text.utf8), name: "t.csv", options: options)
        #expect(table.identifiers?[0] == "c0")
        #expect(table.identifiers?[29_999] == "c29999")
        #expect(table.identifiers?[12_345] == "c12345")
        #expect(table.rowLines == LineNumbers((0..<30_000).map { Int32($0 + 2) }))
    }
}
