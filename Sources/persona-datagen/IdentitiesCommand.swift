#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

import ArgumentParser
import AtomicOutput
import SyntheticData

/// `persona-datagen identities`: several systems' exports of one population, with the truth.
struct IdentitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identities",
        abstract: "Write a CRM, a shop, a membership and a till export of one population, for persona identity.",
        discussion: """
            Writes into DIR: crm.csv, shop.csv, members.csv, till.csv (each with its own \
            column names and phone, e-mail, card and name spellings; --typo-rate of keys (1 % by default) \
            made unusable by typos; walk-in till sales typed with the store's phone), identity.yaml \
            describing them, and truth.csv (source,record_id,person).

            Example:
              persona-datagen identities --people 10000 --seed 7 --out ids/
              persona identity --config ids/identity.yaml --out ids/identities.csv
            """)

    @Option(parsing: .unconditional, help: "The number of people.")
    var people: Int = 10_000

    @Option(parsing: .unconditional, help: "The random seed; the same seed gives byte-identical output.")
    var seed: UInt64 = 42

    @Option(name: .customLong("typo-rate"), parsing: .unconditional, help: "The share of phones, e-mails and cards made unusable by a typo.")
    var typoRate: Double = 0.01

    @Option(help: ArgumentHelp("The folder to write into (created if missing).", valueName: "DIR"))
    var out: String

    func validate() throws {
        guard (1...50_000_000).contains(people) else { throw ValidationError("--people must be between 1 and 50000000; got \(people)") }
        guard (0...1).contains(typoRate) else { throw ValidationError("--typo-rate must be between 0 and 1; got \(typoRate)") }
    }

    func run() throws {
        let population = try IdentityPopulation(people: people, seed: seed, typoRate: typoRate)
        if mkdir(out, 0o755) != 0, errno != EEXIST {
            throw ValidationError("--out: cannot create the folder \(out)")
        }
        let outputs = OutputSet { notice in
            let line = Array("persona-datagen: note: \(notice)\n".utf8)
            _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
        for file in population.files { try outputs.stage(file.bytes, to: out + "/" + file.name) }
        try outputs.commit()
    }
}
