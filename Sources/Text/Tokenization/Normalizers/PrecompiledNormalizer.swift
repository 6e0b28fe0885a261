/// `Precompiled`: sentencepiece's normalisation rules (its `precompiled_charsmap`, NFKC-like
/// rewrites of full-width forms, ligatures, odd whitespace...), applied as `tokenizers` applies
/// them through the `spm_precompiled` crate.
///
/// The charsmap is a little-endian `u32` byte size, a darts-clone double-array trie of that many
/// bytes over the UTF-8 of the rewritten sequences, then the replacements, each ending with a NUL,
/// at the offsets the trie stores. Each grapheme cluster shorter than 6 UTF-8 bytes is looked up
/// whole; otherwise (or without a rule) each of its scalars is. A lookup takes the *shortest* rule
/// that is a prefix of the chunk and replaces the whole chunk, not only that prefix: this is what
/// `spm_precompiled` does (sentencepiece itself takes the longest match over the whole text).
struct PrecompiledNormalizer: Normalizer {
    private let units: [UInt32]
    private let replacements: [UInt8]

    /// Reads a charsmap; `nil` when it is too short for its trie or its replacements are not UTF-8.
    init?(charsmap: [UInt8]) {
        guard charsmap.count >= 4 else { return nil }
        let trieSize = Int(charsmap[0..<4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        guard trieSize % 4 == 0, trieSize >= 4, 4 + trieSize <= charsmap.count else { return nil }
        units = stride(from: 4, to: 4 + trieSize, by: 4).map { start in
            charsmap[start..<start + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
        replacements = Array(charsmap[(4 + trieSize)...])
        guard String(validating: replacements, as: UTF8.self) != nil else { return nil }
    }

    func normalize(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        for grapheme in text {
            if grapheme.utf8.count < 6, let replacement = replacement(for: Array(grapheme.utf8)) {
                output.append(contentsOf: replacement.unicodeScalars)
                continue
            }
            for scalar in grapheme.unicodeScalars {
                if let replacement = replacement(for: Array(String(scalar).utf8)) {
                    output.append(contentsOf: replacement.unicodeScalars)
                } else {
                    output.append(scalar)
                }
            }
        }
        return String(output)
    }

    /// The replacement of the shortest rule that is a prefix of `key`. Positions outside the
    /// trie or the replacements, which a well-formed charsmap never gives, read as no rule.
    private func replacement(for key: [UInt8]) -> String? {
        var position = Self.offset(units[0])
        for byte in key {
            // darts-clone keys end at a NUL byte.
            if byte == 0 { return nil }
            position ^= Int(byte)
            guard units.indices.contains(position) else { return nil }
            let unit = units[position]
            // The label keeps the high bit, so a leaf unit never equals a byte.
            guard unit & 0x8000_00FF == UInt32(byte) else { return nil }
            position ^= Self.offset(unit)
            if unit >> 8 & 1 == 1 {
                guard units.indices.contains(position) else { return nil }
                let start = Int(units[position] & 0x7FFF_FFFF)
                guard start < replacements.count else { return nil }
                let end = replacements[start...].firstIndex(of: 0) ?? replacements.count
                return String(decoding: replacements[start..<end], as: UTF8.self)
            }
        }
        return nil
    }

    private static func offset(_ unit: UInt32) -> Int {
        Int(unit >> 10) << Int((unit & (1 << 9)) >> 6)
    }
}
