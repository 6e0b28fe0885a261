/// Why a safetensors file could not be read or written; its description is one line naming the
/// file and, where one is at fault, the tensor.
///
/// ```swift
/// do { _ = try SafeTensorsFile(path: "model.safetensors") }
/// catch let error as SafeTensorsError { print(error) }
/// // model.safetensors: tensor 'pooler.dense.bias': data_offsets [0, 12] hold 12 bytes but F32 [4] needs 16
/// ```
public struct SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Reason: Equatable, Sendable {
        /// The file could not be opened, mapped or written (the system's explanation).
        case io(String)
        /// The file is shorter than the 8-byte header length.
        case truncated(fileSize: Int)
        /// The header length points past the end of the file.
        case headerLengthPastEnd(headerLength: UInt64, fileSize: Int)
        /// The header is not a JSON object, or `__metadata__` is not an object of strings.
        case invalidHeader(String)
        /// A tensor entry lacks `dtype`, `shape` or `data_offsets`, or one has the wrong type.
        case invalidEntry(String)
        /// The dtype is not one this reader converts (F32, F16, BF16, I64).
        case unknownDType(String)
        /// `data_offsets` reach outside the data section.
        case offsetsOutOfRange(begin: Int, end: Int, dataSize: Int)
        /// The tensor's bytes overlap those of another tensor.
        case overlapping(other: String)
        /// The byte range does not hold dtype size × element count bytes.
        case sizeMismatch(bytes: Int, expected: Int, dtype: String, shape: [Int])
        /// No tensor of that name is in the file.
        case tensorNotFound
    }

    /// The file's path.
    public let path: String
    /// The tensor at fault, if the problem is one tensor's.
    public let tensor: String?
    /// What is wrong.
    public let reason: Reason

    /// An error about `path` (and `tensor`, when one is at fault).
    public init(path: String, tensor: String? = nil, reason: Reason) {
        self.path = path
        self.tensor = tensor
        self.reason = reason
    }

    public var description: String {
        let subject = tensor.map { "\(path): tensor '\($0)'" } ?? path
        switch reason {
        case .io(let message): return "\(subject): \(message)"
        case .truncated(let size): return "\(subject): truncated file of \(size) bytes (needs at least the 8-byte header length)"
        case .headerLengthPastEnd(let length, let size): return "\(subject): header length \(length) runs past the end of the \(size)-byte file"
        case .invalidHeader(let why): return "\(subject): invalid header: \(why)"
        case .invalidEntry(let why): return "\(subject): invalid entry: \(why)"
        case .unknownDType(let dtype): return "\(subject): unknown dtype '\(dtype)' (supported: F32, F16, BF16, I64)"
        case .offsetsOutOfRange(let begin, let end, let size): return "\(subject): data_offsets [\(begin), \(end)] outside the \(size)-byte data section"
        case .overlapping(let other): return "\(subject): bytes overlap those of tensor '\(other)'"
        case .sizeMismatch(let bytes, let expected, let dtype, let shape): return "\(subject): data_offsets hold \(bytes) bytes but \(dtype) \(shape) needs \(expected)"
        case .tensorNotFound: return "\(subject): no such tensor in the file"
        }
    }
}
