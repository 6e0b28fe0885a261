import Foundation
import Tensors

/// A safetensors file opened for reading: the file is memory-mapped and its header validated on
/// opening; tensors are converted to `Float` (from F32, F16, BF16 or I64) when asked for, reading
/// only their bytes.
///
/// ```swift
/// let file = try SafeTensorsFile(path: "models/all-MiniLM-L6-v2/model.safetensors")
/// let words = try file.tensor(named: "embeddings.word_embeddings.weight")   // [30522, 384]
/// try model.load(stateDict: file.allTensors(), ignoring: ["embeddings.position_ids"])
/// ```
public final class SafeTensorsFile {
    /// The path the file was opened at.
    public let path: String
    /// The validated header.
    public let header: SafeTensorsHeader
    private let file: MappedFile
    /// Where the data section starts in the file.
    private let dataStart: Int

    /// Maps and validates the file at `path`. Throws `SafeTensorsError` naming the file and, for a
    /// bad entry, the tensor.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path, minimumSize: 8)
        let bytes = file.bytes
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError(path: path, reason: .headerLengthPastEnd(headerLength: headerLength, fileSize: bytes.count))
        }
        dataStart = 8 + Int(headerLength)
        // The header is small (kilobytes); only it is copied out of the map.
        let json = Data(bytes[8..<dataStart])
        header = try SafeTensorsHeader(json: json, dataSize: bytes.count - dataStart, path: path)
    }

    /// The tensor names, sorted.
    public var names: [String] { header.entries.keys.sorted() }

    /// The free-form `__metadata__` strings.
    public var metadata: [String: String] { header.metadata }

    /// The tensor called `name`, converted to `Float`. Throws `.tensorNotFound` for an unknown name.
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = header.entries[name] else { throw SafeTensorsError(path: path, tensor: name, reason: .tensorNotFound) }
        let tensor = Tensor.zeros(entry.shape)
        guard entry.count > 0 else { return tensor }
        tensor.withUnsafeMutableBufferPointer { target in
            entry.dtype.convert(file.bytes.baseAddress! + dataStart + entry.byteRange.lowerBound, count: entry.count, into: target.baseAddress!)
        }
        return tensor
    }

    /// Every tensor by name (a state dict).
    public func allTensors() throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in names { result[name] = try tensor(named: name) }
        return result
    }
}
