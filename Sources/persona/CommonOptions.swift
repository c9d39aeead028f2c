import ArgumentParser
import CustomerData
import Foundation

/// Options every data-reading command shares.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Field separator: one ASCII character, or 'tab'.", valueName: "CHAR"))
    var delimiter: String = ","

    @Option(help: ArgumentHelp("Worker threads (results do not depend on it). Default: all cores.", valueName: "T"))
    var threads: Int?

    func validate() throws {
        _ = try delimiterByte()
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1; got \(threads)")
        }
    }

    func delimiterByte() throws -> UInt8 {
        if delimiter == "tab" || delimiter == "\\t" { return 0x09 }
        guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != 0x22, byte != 0x0A, byte != 0x0D else {
            throw ValidationError(CustomerDataError.invalidDelimiter(delimiter).description)
        }
        return byte
    }

    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
}

/// Splits `A,B,C` lists given to options such as `--features`.
func columnList(_ text: String?) -> [String]? {
    guard let text else { return nil }
    return text.split(separator: ",", omittingEmptySubsequences: true)
        .map { $0.trimmingCharacters(in: .whitespaces) }
}
