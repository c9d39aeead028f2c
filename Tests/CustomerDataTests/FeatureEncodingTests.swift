import Testing
@testable import CustomerData

@Suite("Feature encoding")
struct FeatureEncodingTests {
    let csv = """
        id,age,plan,newsletter,flag,city
        1,30,Pro,Yes,0,Zürich
        2,,Basic,no,1,Ängelholm
        3,50,Pro,,1,Zürich
        4,40,Enterprise,YES,0,
        """

    @Test("one-hot drops the first level in code point order, like pandas.get_dummies(drop_first=True)")
    func oneHot() throws {
        let table = try readCSV(csv)
        let (encoding, _) = try FeatureEncoder.fit(table, features: nil, exclude: ["id"])
        // pandas: sorted(["Pro","Basic","Enterprise"]) = Basic, Enterprise, Pro → drop Basic;
        // "Zürich" < "Ängelholm" because 'Z' (U+005A) < 'Ä' (U+00C4).
        #expect(encoding.featureNames == ["age", "plan=Enterprise", "plan=Pro", "newsletter", "flag", "city=Ängelholm"])
        let encoded = try encoding.encode(table)
        #expect(encoded.matrix == [
            30, 0, 1, 1, 0, 0,
            40, 0, 0, 0, 1, 1,
            50, 0, 1, 1, 1, 0,
            40, 1, 0, 1, 0, 0,
        ])
    }

    @Test("missing numbers take the median; the summary counts them")
    func imputation() throws {
        let table = try readCSV(csv)
        let (encoding, _) = try FeatureEncoder.fit(table, features: ["age", "newsletter", "city"])
        let encoded = try encoding.encode(table)
        // age median of 30, 50, 40 = 40; newsletter yes, no, yes → median 1.
        #expect(encoded.report.imputations == [
            .init(column: "age", count: 1, value: 40), .init(column: "newsletter", count: 1, value: 1),
        ])
        #expect(encoded.report.missingCategories == ["city": 1])
        #expect(encoding.columns.map(\.kind) == [.numeric, .boolean, .categorical])
    }

    @Test("new data: unseen levels map to the reference level and are counted")
    func unseenLevels() throws {
        let (encoding, _) = try FeatureEncoder.fit(try readCSV(csv), features: ["plan"])
        let fresh = try readCSV("id,plan\n9,Pro\n10,Gold\n")
        let encoded = try encoding.encode(fresh)
        #expect(encoded.matrix == [0, 1, 0, 0])
        #expect(encoded.report.unseenLevels == ["plan": 1])
    }

    @Test("new data: text in a numeric column is an error naming the line and value")
    func textInNumeric() throws {
        let (encoding, _) = try FeatureEncoder.fit(try readCSV(csv), features: ["age"])
        #expect(throws: CustomerDataError.notANumber(file: "t.csv", line: 3, column: 2, name: "age", value: "forty")) {
            try encoding.encode(try readCSV("id,age\n1,3\n2,forty\n"))
        }
    }

    @Test("automatic selection leaves out high-cardinality text; explicit selection keeps it")
    func highCardinality() throws {
        var text = "id,email,x\n"
        for i in 0..<60 { text += "\(i),u\(i)@x.com,\(i)\n" }
        let table = try readCSV(text)
        let (auto, report) = try FeatureEncoder.fit(table, features: nil, exclude: ["id"])
        #expect(auto.featureNames == ["x"])
        #expect(report.excluded.map(\.column) == ["email"])
        let (explicit, _) = try FeatureEncoder.fit(table, features: ["email"])
        #expect(explicit.featureNames.count == 59)
    }

    @Test("the encoding survives JSON")
    func codable() throws {
        let (encoding, _) = try FeatureEncoder.fit(try readCSV(csv), features: nil, exclude: ["id"])
        let decoded = try JSONDecoder().decode(FeatureEncoding.self, from: try JSONEncoder().encode(encoding))
        #expect(decoded == encoding)
    }
}

import Foundation
