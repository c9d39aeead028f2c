/// Several systems' exports of one planted population, for testing identity resolution: a CRM,
/// a web shop, a membership programme and store tills, each a CSV with its own column names,
/// plus `identity.yaml` describing them and `truth.csv` (`source,record_id,person`).
///
/// Variations planted: phones as `+86 138 0013 8000`, `0086-138…`, `(86) 138.0013.8000`,
/// full-width digits, with an extension; e-mails in mixed case with spaces around; member
/// cards with and without leading zeros; names in full-width letters and odd spacing; a share
/// `typoRate` (default 1 %) of keys made unusable by a typo (a digit dropped, the `@` lost, a
/// letter typed into a card); 4 % of people with
/// two shop accounts; walk-in till sales of members typed with the store's own phone (a hub
/// key) and the buyer's card; a few people whose birthday differs between two systems. Phones, e-mails and
/// member cards are unique per person, so the truth is exactly what the keys say.
public struct IdentityPopulation: Sendable {
    /// File name (in one folder) and contents.
    public private(set) var files: [(name: String, bytes: [UInt8])] = []
    public let people: Int

    /// The store phone typed for walk-ins.
    public static let storePhone = "021-5555-0000"

    public init(people: Int, seed: UInt64, typoRate: Double = 0.01) throws(SyntheticDataError) {
        try SyntheticDataError.check("people", people, in: 1...50_000_000)
        guard (0...1).contains(typoRate) else { throw .realOutOfRange(parameter: "typoRate", value: typoRate, allowed: 0...1) }
        self.people = people
        var rng = SeededGenerator(seed: seed, stream: 19)
        var crm = Self.csv(["customer_id", "mobile", "email", "name", "birthday"])
        var shop = Self.csv(["user_id", "phone", "mail", "nickname"])
        var members = Self.csv(["member_no", "card", "tel", "full_name", "dob"])
        var till = Self.csv(["receipt_customer", "phone", "member_card"])
        var truth = Self.csv(["source", "record_id", "person"])
        let given = ["wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yan", "jie", "tao", "ming", "chao", "xia"]
        let family = ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo"]
        let domains = ["qq.com", "163.com", "126.com", "gmail.com", "sina.com", "outlook.com"]
        var counters = [0, 0, 0, 0]
        func nextID(_ s: Int, _ prefix: String) -> String {
            counters[s] += 1
            return prefix + String(counters[s])
        }
        for person in 0..<people {
            // Unique by construction: 3^18 is coprime to 10^9, so i -> i * 3^18 mod 10^9 is one-to-one.
            let suffix = (UInt64(person) &* 387_420_489 &+ seed % 1_000_000_000) % 1_000_000_000
            let mobile = ["13", "15", "18", "17"][rng.integer(below: 4)] + Self.padded(Int(suffix), 9)
            let first = given[rng.integer(below: given.count)], last = family[rng.integer(below: family.count)]
            let email = "\(first).\(last)\(person)@\(domains[rng.integer(below: domains.count)])"
            let card = Self.padded(person + 1, 8)
            let name = "\(first) \(last)"
            let birthday = "19\(60 + rng.integer(below: 40))-\(Self.padded(1 + rng.integer(below: 12), 2))-\(Self.padded(1 + rng.integer(below: 28), 2))"
            var sources = (0..<4).map { _ in rng.bernoulli(0.55) }
            if !sources.contains(true) { sources[rng.integer(below: 4)] = true }
            let personID = "P\(person + 1)"
            if sources[0] {
                let id = nextID(0, "CRM")
                crm.append([id, Self.phone(mobile, typoRate, &rng), Self.email(email, typoRate, &rng), Self.name(name, &rng), birthday])
                truth.append(["crm", id, personID])
            }
            if sources[1] {
                for _ in 0..<(rng.bernoulli(0.04) ? 2 : 1) {
                    let id = nextID(1, "U")
                    shop.append([id, Self.phone(mobile, typoRate, &rng), Self.email(email, typoRate, &rng), rng.bernoulli(0.5) ? Self.name(name, &rng) : ""])
                    truth.append(["shop", id, personID])
                }
            }
            if sources[2] {
                let id = nextID(2, "M")
                let shown = rng.bernoulli(0.3) ? String(card.drop { $0 == "0" }) : card
                let dob = rng.bernoulli(0.01) ? "19\(60 + rng.integer(below: 40))/0\(1 + rng.integer(below: 9))/1\(rng.integer(below: 9))" : birthday.replacingSeparators()
                members.append([id, Self.typo(shown, typoRate, &rng), Self.phone(mobile, typoRate, &rng), Self.name(name, &rng), dob])
                truth.append(["members", id, personID])
            }
            if sources[3] {
                for _ in 0..<(1 + rng.integer(below: 2)) {
                    let id = nextID(3, "T")
                    // A walk-in sale is known only by the card shown, so only members walk in.
                    let walkIn = sources[2] && rng.bernoulli(0.05)
                    till.append([id, walkIn ? Self.storePhone : Self.phone(mobile, typoRate, &rng), walkIn || rng.bernoulli(0.7) ? card : ""])
                    truth.append(["till", id, personID])
                }
            }
        }
        let yaml = """
            # persona identity config written by persona-datagen identities
            sources:
              - {name: crm, file: crm.csv, id: customer_id, phone: mobile, email: email, full_name: name, birthday: birthday, country: CN}
              - {name: shop, file: shop.csv, id: user_id, phone: phone, email: mail, full_name: nickname}
              - {name: members, file: members.csv, id: member_no, member_id: card, phone: tel, full_name: full_name, birthday: dob}
              - {name: till, file: till.csv, id: receipt_customer, phone: phone, member_id: member_card}
            hub_guard: 50
            member_id: {leading_zeros: strip}

            """
        files = [("crm.csv", crm.bytes), ("shop.csv", shop.bytes), ("members.csv", members.bytes), ("till.csv", till.bytes),
                 ("identity.yaml", Array(yaml.utf8)), ("truth.csv", truth.bytes)]
    }

    private static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A phone as people and systems write it; a share `typo` lose a digit (unusable).
    private static func phone(_ mobile: String, _ typo: Double, _ rng: inout SeededGenerator) -> String {
        let m = Array(mobile)
        let (a, b, c) = (String(m[0..<3]), String(m[3..<7]), String(m[7...]))
        var text: String
        switch rng.integer(below: 8) {
        case 0: text = "+86 \(a) \(b) \(c)"
        case 1: text = "\(a)-\(b)-\(c)"
        case 2: text = "0086\(mobile)"
        case 3: text = "(86) \(a).\(b).\(c)"
        case 4: text = String(mobile.map { Character(UnicodeScalar(0xFF10 + ($0.asciiValue.map { UInt32($0) } ?? 48) - 48) ?? "0") })
        case 5: text = "\(mobile) ext 12"
        case 6: text = "86\(mobile)"
        default: text = mobile
        }
        if rng.bernoulli(typo) { text = String(mobile.dropLast()) }
        return text
    }

    /// Mixed case, spaces around; a share `typo` lose the `@`.
    private static func email(_ email: String, _ typo: Double, _ rng: inout SeededGenerator) -> String {
        if rng.bernoulli(typo) { return String(email.filter { $0 != "@" }) }
        switch rng.integer(below: 4) {
        case 0: return email.uppercased()
        case 1: return " " + email.prefix(1).uppercased() + email.dropFirst() + " "
        default: return email
        }
    }

    private static func name(_ name: String, _ rng: inout SeededGenerator) -> String {
        switch rng.integer(below: 5) {
        case 0: return name.uppercased()
        case 1: return name.split(separator: " ").joined(separator: "   ")
        case 2: return String(name.map { $0 == " " ? "\u{3000}" : Character(UnicodeScalar(($0.asciiValue.map { UInt32($0) } ?? 0x61) + 0xFEE0) ?? "a") })
        default: return name
        }
    }

    /// A share `rate` of member cards get a letter typed into them (they then match nothing).
    private static func typo(_ card: String, _ rate: Double, _ rng: inout SeededGenerator) -> String {
        rng.bernoulli(rate) ? card + " X" : card
    }

    private static func csv(_ header: [String]) -> CSVText {
        var text = CSVText()
        text.append(header)
        return text
    }
}

/// Rows of CSV text, quoted where RFC 4180 needs it.
private struct CSVText {
    var bytes: [UInt8] = []
    mutating func append(_ fields: [String]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: CSVBuffer.field(field))
        }
        bytes.append(UInt8(ascii: "\n"))
    }
}

private extension String {
    /// `1990-05-17` as `1990/05/17`.
    func replacingSeparators() -> String { String(map { $0 == "-" ? "/" : $0 }) }
}
