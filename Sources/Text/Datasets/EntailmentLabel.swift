/// The natural-language-inference relation of a premise to a hypothesis.
public enum EntailmentLabel: String, Sendable, Hashable, CaseIterable {
    /// The hypothesis follows from the premise.
    case entailment = "ENTAILMENT"
    /// Neither follows nor contradicts.
    case neutral = "NEUTRAL"
    /// The hypothesis contradicts the premise.
    case contradiction = "CONTRADICTION"
}
