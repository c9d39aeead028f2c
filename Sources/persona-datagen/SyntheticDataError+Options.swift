import SyntheticData

extension SyntheticDataError {
    /// The message with each library parameter name replaced by its command-line option,
    /// so the user reads the flag they typed: `The '--rows' parameter must be …`.
    func naming(_ options: [String: String]) -> String {
        var message = description
        for (parameter, option) in options.sorted(by: { $0.key < $1.key }) {
            message = message.replacing("'\(parameter)'", with: "'\(option)'")
        }
        return message
    }
}
