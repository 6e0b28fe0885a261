import Foundation

/// A problem with a file of a model folder, described in one line naming the file.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
    /// The file at fault.
    public let file: String
    /// What is wrong with it.
    public let problem: String

    public init(_ file: URL, _ problem: String) {
        self.file = file.path
        self.problem = problem
    }

    public init(path: String, _ problem: String) {
        self.file = path
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
