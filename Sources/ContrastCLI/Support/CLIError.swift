/// Errors the commands raise themselves: usage problems exit with code 2, data problems with 1.
enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case data(String)

    var description: String {
        switch self {
        case .usage(let m), .data(let m): m
        }
    }
}
