/// An augmentation named on the command line (`--augment NAME[:RATE]`), parsed from strings such
/// as `none`, `repetition:0.32`, `cutoff-token:0.1` or `back-translation`.
///
/// | name | view | parameter (default) |
/// |---|---|---|
/// | `none` | dropout only (SimCSE) | - |
/// | `repetition` | ``WordRepetition`` | duplication rate (0.32) |
/// | `deletion` | ``RandomDeletion`` | probability (0.1) |
/// | `insertion` | ``RandomInsertion`` | rate (0.1) |
/// | `swap` | ``RandomSwap`` | rate (0.1) |
/// | `cutoff-token`, `cutoff-span`, `cutoff-feature` | ``Cutoff`` | rate (0.1) |
/// | `back-translation` | ``BackTranslation`` (paraphrase file given separately) | - |
///
/// ```swift
/// let spec = try AugmentationSpec(parsing: "repetition:0.25")
/// spec.tokenAugmentation  // WordRepetition(rate: 0.25)
/// spec.description        // "repetition:0.25"
/// ```
public enum AugmentationSpec: Sendable, Equatable, CustomStringConvertible {
    /// No augmentation: the views differ by dropout only.
    case none
    /// An edit of the token ids.
    case tokens(TokenEdit)
    /// A cut of the word embeddings.
    case cutoff(Cutoff)
    /// A paraphrase from an offline back-translation file.
    case backTranslation

    /// The token-level augmentations, which carry one rate each.
    public enum TokenEdit: Sendable, Equatable {
        /// `repetition[:RATE]`: ESimCSE's word repetition.
        case repetition(WordRepetition)
        /// `deletion[:PROBABILITY]`: EDA's random deletion.
        case deletion(RandomDeletion)
        /// `insertion[:RATE]`: EDA's random insertion.
        case insertion(RandomInsertion)
        /// `swap[:RATE]`: EDA's random swap.
        case swap(RandomSwap)
    }

    /// Every accepted name, in the order of the table above (for `--help`).
    public static let names = ["none", "repetition", "deletion", "insertion", "swap"]
        + Cutoff.Kind.allCases.map { "cutoff-\($0.rawValue)" } + ["back-translation"]

    /// Parses `NAME` or `NAME:RATE`; names are case-sensitive, rates lie in 0...1.
    ///
    /// - Throws: ``AugmentationSpecError`` naming the problem and the accepted names.
    public init(parsing text: String) throws(AugmentationSpecError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        var rate: Double?
        if parts.count == 2 {
            guard let value = Double(parts[1]), value.isFinite else { throw .invalidRate(name: name, text: String(parts[1])) }
            guard (0...1).contains(value) else { throw .rateOutOfRange(name: name, value: value) }
            rate = value
        }
        func rateless(_ spec: AugmentationSpec) throws(AugmentationSpecError) -> AugmentationSpec {
            guard rate == nil else { throw .unexpectedRate(name: name) }
            return spec
        }
        switch name {
        case "none": self = try rateless(.none)
        case "back-translation": self = try rateless(.backTranslation)
        case "repetition": self = .tokens(.repetition(WordRepetition(rate: rate ?? WordRepetition.defaultRate)))
        case "deletion": self = .tokens(.deletion(RandomDeletion(probability: rate ?? RandomDeletion.defaultProbability)))
        case "insertion": self = .tokens(.insertion(RandomInsertion(rate: rate ?? RandomInsertion.defaultRate)))
        case "swap": self = .tokens(.swap(RandomSwap(rate: rate ?? RandomSwap.defaultRate)))
        default:
            guard name.hasPrefix("cutoff-"), let kind = Cutoff.Kind(rawValue: String(name.dropFirst("cutoff-".count))) else {
                throw .unknownName(name)
            }
            self = .cutoff(Cutoff(kind, rate: rate ?? Cutoff.defaultRate))
        }
    }

    /// The token augmentation to apply to the ids, if this is one.
    public var tokenAugmentation: (any TokenAugmentation)? {
        guard case .tokens(let edit) = self else { return nil }
        return switch edit {
        case .repetition(let augmentation): augmentation
        case .deletion(let augmentation): augmentation
        case .insertion(let augmentation): augmentation
        case .swap(let augmentation): augmentation
        }
    }

    /// The spelling ``init(parsing:)`` reads back, rates always written.
    public var description: String {
        switch self {
        case .none: "none"
        case .backTranslation: "back-translation"
        case .cutoff(let cutoff): "cutoff-\(cutoff.kind.rawValue):\(cutoff.rate)"
        case .tokens(.repetition(let augmentation)): "repetition:\(augmentation.rate)"
        case .tokens(.deletion(let augmentation)): "deletion:\(augmentation.probability)"
        case .tokens(.insertion(let augmentation)): "insertion:\(augmentation.rate)"
        case .tokens(.swap(let augmentation)): "swap:\(augmentation.rate)"
        }
    }
}
