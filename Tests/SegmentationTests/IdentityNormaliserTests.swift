import Testing
@testable import Segmentation

@Suite("Identity key normalisers")
struct IdentityNormaliserTests {
    /// Worked by hand from each region's numbering rules (national significant number lengths).
    static let phones: [(text: String, country: String, e164: String?)] = [
        ("+86 138 0013 8000", "CN", "+8613800138000"),
        ("0086-138-0013-8000", "CN", "+8613800138000"),
        ("8613800138000", "CN", "+8613800138000"),
        ("１３８-0013-8000", "CN", "+8613800138000"),
        ("(+86) 138.0013.8000", "CN", "+8613800138000"),
        ("＋８６ １３８００１３８０００", "CN", "+8613800138000"),
        ("13800138000 ext 12", "CN", "+8613800138000"),
        ("13800138000x12", "CN", "+8613800138000"),
        ("13800138000转12", "CN", "+8613800138000"),
        ("010-12345678", "CN", "+861012345678"),
        ("021 5555 0000", "CN", "+862155550000"),
        ("1380013800", "CN", nil),       // a mobile with a digit missing
        ("12800138000", "CN", nil),      // no mobile range starts 12
        ("138001380001", "CN", nil),     // a digit too many
        ("0000000", "CN", nil),
        ("call me", "CN", nil),
        ("+999 12", "CN", nil),
        ("(415) 555-2671", "US", "+14155552671"),
        ("1-415-555-2671", "US", "+14155552671"),
        ("+1 415 555 2671", "CN", "+14155552671"),
        ("415-155-2671", "US", nil),     // exchange codes do not start with 0 or 1
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", "CN", "+442079460958"),
        ("030 123456", "DE", "+4930123456"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("03-1234-5678", "JP", "+81312345678"),
        ("6123 4567", "SG", "+6561234567"),
        ("1234 5678", "SG", nil),
        ("2123 4567", "HK", "+85221234567"),
        ("+852 2123 4567", "CN", "+85221234567"),
        ("02 9374 4000", "AU", "+61293744000"),
    ]

    @Test("phones to E.164; impossible numbers are nil", arguments: phones.indices)
    func phone(index: Int) {
        let c = Self.phones[index]
        #expect(PhoneNumber.e164(c.text, country: c.country) == c.e164, "\(c.text) (\(c.country))")
    }

    @Test("e-mail: trimmed, lower-cased, NFC; one @ and a dotted domain")
    func email() {
        #expect(IdentityKeys.email(" John.Doe@Example.COM ") == "john.doe@example.com")
        #expect(IdentityKeys.email("jose\u{301}@x.com") == "jos\u{E9}@x.com")
        #expect(IdentityKeys.email("a+tag@gmail.com") == "a+tag@gmail.com")  // no provider rules
        for bad in ["a@b", "a@@b.com", "@b.com", "a b@c.com", "a@b..com", "a@.com", "a@b.com.", "ab.com"] {
            #expect(IdentityKeys.email(bad) == nil, "\(bad)")
        }
    }

    @Test("member ids: trimmed, upper-cased, full-width folded, leading zeros as configured")
    func memberID() {
        #expect(IdentityKeys.memberID(" m00123 ", leadingZeros: .keep) == "M00123")
        #expect(IdentityKeys.memberID("000123", leadingZeros: .strip) == "123")
        #expect(IdentityKeys.memberID("000123", leadingZeros: .keep) == "000123")
        #expect(IdentityKeys.memberID("0000", leadingZeros: .strip) == "0")
        #expect(IdentityKeys.memberID("ＡＢ１２", leadingZeros: .keep) == "AB12")
        #expect(IdentityKeys.memberID("12 34", leadingZeros: .keep) == nil)
    }

    @Test("names: NFKC, one space, lower case; birthdays to ISO dates")
    func nameAndBirthday() {
        #expect(IdentityKeys.name("  ＷＥＩ\u{3000}Wang  ") == "wei wang")
        #expect(IdentityKeys.name("Li   Na") == "li na")
        #expect(IdentityKeys.birthday("1990/5/17") == "1990-05-17")
        #expect(IdentityKeys.birthday("19900517") == "1990-05-17")
        #expect(IdentityKeys.birthday("2000.02.29") == "2000-02-29")
        #expect(IdentityKeys.birthday("1900-02-29") == nil)
        #expect(IdentityKeys.birthday("1990-02-30") == nil)
        #expect(IdentityKeys.birthday("17/05/1990") == nil)
    }

    @Test("masking keeps only the ends of a value")
    func masking() {
        #expect(IdentityKeys.masked("+8613800138000") == "+861********00")
        #expect(IdentityKeys.masked("walkin@store.com") == "w***@store.com")
    }
}
