import Testing
@testable import CustomerData

@Suite("CSV errors name the file, line, column and value")
struct CSVErrorTests {
    @Test("empty file") func empty() {
        #expect(throws: CustomerDataError.emptyFile(file: "t.csv")) { try readCSV("") }
        #expect(throws: CustomerDataError.emptyFile(file: "t.csv")) { try readCSV("\u{FEFF}\n\n") }
    }

    @Test("header only") func headerOnly() {
        #expect(throws: CustomerDataError.headerOnly(file: "t.csv")) { try readCSV("id,x\n") }
    }

    @Test("ragged row") func ragged() {
        let error = CustomerDataError.raggedRow(file: "t.csv", line: 3, expected: 2, got: 1)
        #expect(throws: error) { try readCSV("id,x\n1,2\n3\n") }
        #expect(error.description == "t.csv:3: expected 2 fields like the header, found 1")
    }

    @Test("unterminated quote") func unterminated() {
        let error = CustomerDataError.unterminatedQuote(file: "t.csv", line: 3, column: 2, name: "note")
        #expect(throws: error) { try readCSV("id,note\n1,ok\n2,\"open\n3,x\n") }
        #expect(error.description == "t.csv:3: column 'note' (2): a quoted field is never closed")
    }

    @Test("unknown id column lists the columns") func unknownID() {
        let error = CustomerDataError.unknownColumn(file: "t.csv", option: "--id", name: "ID", available: ["id", "x"])
        #expect(throws: error) { try readCSV("id,x\n1,2\n", id: "ID") }
        #expect(error.description == "t.csv: --id names column 'ID', which is not in the header; columns are: 'id', 'x'")
    }

    @Test("duplicate ids name both lines") func duplicateIDs() {
        let error = CustomerDataError.duplicateID(file: "t.csv", line: 4, column: 1, name: "id", value: "7", firstLine: 2)
        #expect(throws: error) { try readCSV("id,x\n7,1\n8,2\n7,3\n") }
        #expect(error.description == "t.csv:4: column 'id' (1): id \"7\" already appeared on line 2")
    }

    @Test("empty id") func emptyID() {
        #expect(throws: CustomerDataError.missingID(file: "t.csv", line: 3, column: 1, name: "id")) {
            try readCSV("id,x\n7,1\n ,2\n")
        }
    }

    @Test("a non-number in a column forced numeric") func forcedNumeric() {
        let error = CustomerDataError.notANumber(file: "t.csv", line: 3, column: 2, name: "amount", value: "12,50")
        #expect(throws: error) { try readCSV("id,amount\n1,3\n2,\"12,50\"\n", numeric: ["amount"]) }
        #expect(error.description == "t.csv:3: column 'amount' (2): \"12,50\" is not a number (decimal commas and thousands separators are not read: write 12.50, not 12,50)")
        #expect(CustomerDataError.notANumber(file: "t.csv", line: 3, column: 2, name: "amount", value: "abc").description
                == "t.csv:3: column 'amount' (2): \"abc\" is not a number")
    }

    @Test("NaN and infinity in a numeric column") func nonFinite() {
        #expect(throws: CustomerDataError.nonFinite(file: "t.csv", line: 3, column: 2, name: "x", value: "inf")) {
            try readCSV("id,x\n1,3\n2,inf\n")
        }
        #expect(throws: CustomerDataError.nonFinite(file: "t.csv", line: 2, column: 2, name: "x", value: "NaN")) {
            try readCSV("id,x\n1,NaN\n2,4\n")
        }
    }

    @Test("duplicate and empty header names") func headers() {
        #expect(throws: CustomerDataError.duplicateHeader(file: "t.csv", name: "x", columns: [2, 3])) {
            try readCSV("id,x,x\n1,2,3\n")
        }
        #expect(throws: CustomerDataError.emptyHeaderName(file: "t.csv", column: 2)) { try readCSV("id,,y\n1,2,3\n") }
    }
}
