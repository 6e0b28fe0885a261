/// `Metaspace`: sentencepiece's word marks. Spaces become the replacement character (`▁`), one is
/// put before the piece when the prepend scheme asks and the piece does not start with one, and
/// with `split` the piece is cut before each replacement character.
struct MetaspacePreTokenizer: PreTokenizer {
    /// When a replacement character is put before a piece.
    enum PrependScheme: String {
        /// Before every piece.
        case always
        /// Only before the piece that starts the input text.
        case first
        /// Never.
        case never
    }

    let replacement: Unicode.Scalar
    let prependScheme: PrependScheme
    let splits: Bool

    func split(_ piece: TextPiece) -> [TextPiece] {
        let replacement = replacement
        var piece = piece
        piece.scalars = piece.scalars.map { $0 == " " ? replacement : $0 }
        let prepends = switch prependScheme {
        case .always: true
        case .first: piece.startsInput
        case .never: false
        }
        if prepends && piece.scalars.first != replacement { piece.scalars.insert(replacement, at: 0) }
        guard splits else { return [piece] }
        return piece.split(by: CharacterPattern { $0 == replacement }, .mergedWithNext)
    }
}
