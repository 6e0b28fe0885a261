import Foundation

/// The validated JSON header of a safetensors file: each tensor's dtype, shape and byte range in
/// the data section, plus the free-form `__metadata__` strings.
///
/// Checks: the header is a JSON object; `__metadata__`, if present, maps strings to strings; each
/// other entry is an object whose `dtype` is a known string, `shape` an array of non-negative
/// integers and `data_offsets` two integers `0 <= begin <= end <= data size`; the range holds
/// exactly dtype size × element count bytes; no two ranges overlap. Gaps between ranges are
/// tolerated (the format forbids them, but they do not make any tensor ambiguous).
public struct SafeTensorsHeader: Sendable {
    /// One tensor's description.
    public struct Entry: Equatable, Sendable {
        /// The stored element type.
        public let dtype: SafeTensorsDType
        /// The extents.
        public let shape: [Int]
        /// Byte offsets relative to the start of the data section.
        public let byteRange: Range<Int>
        /// The number of elements.
        public var count: Int { shape.reduce(1, *) }
    }

    /// The tensors by name.
    public let entries: [String: Entry]
    /// The `__metadata__` strings (empty when absent).
    public let metadata: [String: String]

    static let metadataKey = "__metadata__"

    /// Parses and validates `json`, the header of the file at `path` whose data section holds
    /// `dataSize` bytes.
    init(json: Data, dataSize: Int, path: String) throws {
        func fail(_ tensor: String?, _ reason: SafeTensorsError.Reason) -> SafeTensorsError {
            SafeTensorsError(path: path, tensor: tensor, reason: reason)
        }
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: json) } catch {
            throw fail(nil, .invalidHeader("not valid JSON"))
        }
        guard case .object(let object) = root else { throw fail(nil, .invalidHeader("not a JSON object")) }

        var metadata: [String: String] = [:]
        if let value = object[Self.metadataKey] {
            guard case .object(let pairs) = value else { throw fail(nil, .invalidHeader("__metadata__ is not an object")) }
            for (key, value) in pairs {
                guard case .string(let text) = value else { throw fail(nil, .invalidHeader("__metadata__ value of '\(key)' is not a string")) }
                metadata[key] = text
            }
        }

        var entries: [String: Entry] = [:]
        for (name, value) in object where name != Self.metadataKey {
            entries[name] = try Self.entry(value, dataSize: dataSize) { fail(name, $0) }
        }
        // Sorted by start, each range must begin at or after the end of the one before.
        let ordered = entries.sorted { ($0.value.byteRange.lowerBound, $0.key) < ($1.value.byteRange.lowerBound, $1.key) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.value.byteRange.lowerBound < previous.value.byteRange.upperBound {
            throw fail(next.key, .overlapping(other: previous.key))
        }
        self.entries = entries
        self.metadata = metadata
    }

    /// One tensor's entry, checked field by field.
    private static func entry(_ value: JSONValue, dataSize: Int, fail: (SafeTensorsError.Reason) -> SafeTensorsError) throws -> Entry {
        guard case .object(let fields) = value else { throw fail(.invalidEntry("not an object")) }
        guard case .string(let dtypeName)? = fields["dtype"] else { throw fail(.invalidEntry("dtype is missing or not a string")) }
        guard let shape = naturals(fields["shape"]) else { throw fail(.invalidEntry("shape is missing or not an array of non-negative integers")) }
        guard let offsets = naturals(fields["data_offsets"]), offsets.count == 2, offsets[0] <= offsets[1] else {
            throw fail(.invalidEntry("data_offsets is missing or not two non-negative integers [begin, end] with begin <= end"))
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else { throw fail(.unknownDType(dtypeName)) }
        let (begin, end) = (offsets[0], offsets[1])
        guard end <= dataSize else { throw fail(.offsetsOutOfRange(begin: begin, end: end, dataSize: dataSize)) }
        let (count, overflow) = shape.reduce((1, false)) { acc, extent in
            let (product, o) = acc.0.multipliedReportingOverflow(by: extent)
            return (product, acc.1 || o)
        }
        let (expected, overflowBytes) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, !overflowBytes, end - begin == expected else {
            throw fail(.sizeMismatch(bytes: end - begin, expected: overflow || overflowBytes ? Int.max : expected, dtype: dtypeName, shape: shape))
        }
        return Entry(dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    /// The integers of a JSON array of non-negative integers, or `nil` if it is anything else.
    private static func naturals(_ value: JSONValue?) -> [Int]? {
        guard case .array(let items)? = value else { return nil }
        var result: [Int] = []
        for item in items {
            guard case .integer(let n) = item, n >= 0 else { return nil }
            result.append(n)
        }
        return result
    }
}
