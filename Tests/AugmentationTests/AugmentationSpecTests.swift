import Augmentation
import Testing

/// `--augment` names: parsing, defaults, rates and errors.
@Suite struct AugmentationSpecTests {
    @Test func parsesEveryNameWithDefaults() throws {
        #expect(try AugmentationSpec(parsing: "none") == .none)
        #expect(try AugmentationSpec(parsing: "back-translation") == .backTranslation)
        #expect(try AugmentationSpec(parsing: "repetition") == .tokens(.repetition(WordRepetition(rate: 0.32))))
        #expect(try AugmentationSpec(parsing: "deletion") == .tokens(.deletion(RandomDeletion(probability: 0.1))))
        #expect(try AugmentationSpec(parsing: "insertion") == .tokens(.insertion(RandomInsertion(rate: 0.1))))
        #expect(try AugmentationSpec(parsing: "swap") == .tokens(.swap(RandomSwap(rate: 0.1))))
        for kind in Cutoff.Kind.allCases {
            #expect(try AugmentationSpec(parsing: "cutoff-\(kind.rawValue)") == .cutoff(Cutoff(kind, rate: 0.1)))
        }
        for name in AugmentationSpec.names { #expect(throws: Never.self) { try AugmentationSpec(parsing: name) } }
    }

    @Test func parsesRatesAndWritesThemBack() throws {
        let spec = try AugmentationSpec(parsing: "repetition:0.25")
        #expect(spec == .tokens(.repetition(WordRepetition(rate: 0.25))))
        #expect(spec.tokenAugmentation as? WordRepetition == WordRepetition(rate: 0.25))
        #expect(try AugmentationSpec(parsing: "cutoff-span:0.05") == .cutoff(Cutoff(.span, rate: 0.05)))
        #expect(try AugmentationSpec(parsing: "none").tokenAugmentation == nil)
        for text in ["none", "back-translation", "repetition:0.32", "deletion:0.2", "insertion:0.1", "swap:0.3", "cutoff-feature:0.2"] {
            #expect(try AugmentationSpec(parsing: text).description == text)
        }
    }

    @Test func rejectsBadInputWithClearMessages() {
        #expect(throws: AugmentationSpecError.unknownName("shuffle")) { try AugmentationSpec(parsing: "shuffle") }
        #expect(throws: AugmentationSpecError.unknownName("cutoff-word")) { try AugmentationSpec(parsing: "cutoff-word:0.1") }
        #expect(throws: AugmentationSpecError.invalidRate(name: "swap", text: "lots")) { try AugmentationSpec(parsing: "swap:lots") }
        #expect(throws: AugmentationSpecError.invalidRate(name: "swap", text: "")) { try AugmentationSpec(parsing: "swap:") }
        #expect(throws: AugmentationSpecError.rateOutOfRange(name: "deletion", value: 1.5)) { try AugmentationSpec(parsing: "deletion:1.5") }
        #expect(throws: AugmentationSpecError.unexpectedRate(name: "none")) { try AugmentationSpec(parsing: "none:0.1") }
        let message = AugmentationSpecError.unknownName("shuffle").description
        #expect(message.hasPrefix("unknown augmentation 'shuffle' (expected one of: none, repetition,"))
        #expect(message.contains("cutoff-feature, back-translation)"))
    }
}
