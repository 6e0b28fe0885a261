/// A string compared and hashed by its UTF-8 bytes, as Rust compares strings. Swift's `String`
/// equates canonically equivalent spellings (`Å` as U+212B or U+00C5, combining marks in either
/// order), which are different tokens to a vocabulary, so every map from spellings to ids is
/// keyed by this.
struct ExactString: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        // Native strings are contiguous UTF-8; others are copied, so that equal bytes hash alike.
        if string.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            Array(string.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}

extension Dictionary where Key == ExactString {
    /// The value of exactly `string`.
    subscript(exactly string: String) -> Value? { self[ExactString(string)] }
}
