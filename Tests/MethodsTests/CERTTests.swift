import Augmentation
import Foundation
import Methods
import Models
import Tensors
import Testing

@Suite struct CERTTests {
    @Test func momentumContrastLossFallsAndQueryKeyViewsSeparate() throws {
        var c = MethodFixtures.configuration(steps: 16)
        c.temperature = 0.07
        c.momentum = 0.99
        let encoder = try MethodFixtures.encoder()
        let views = try PositiveViews(AugmentationSpec(parsing: "deletion:0.2"))
        let method = CERT(encoder: encoder, configuration: c, views: views)
        let before = try MethodFixtures.positiveMargin(encoder, views: views)
        let trainer = try Trainer(text: method, configuration: c, examples: try MethodFixtures.examples(), output: MethodFixtures.temporaryRun())
        let (first, last) = try MethodFixtures.lossTrend(trainer)
        #expect(last < first, "loss \(first) -> \(last)")
        #expect(try MethodFixtures.positiveMargin(encoder, views: views) > before)
        #expect(method.momentum.queue.count == c.queueSize)
    }

    @Test func backTranslationViewsComeFromTheParaphraseFile() throws {
        let sentence = try MethodFixtures.sentences()[0]
        let paraphrases = BackTranslation([ParaphrasedSentence(sentence, paraphrases: ["An entirely different wording."])])
        let views = try PositiveViews(.backTranslation, backTranslation: paraphrases)
        var generator = RandomGenerator(seed: 1)
        let encoder = try MethodFixtures.encoder()
        let view = views.view(of: [sentence, "no paraphrase here"], encoder: encoder, maxLength: 24, generator: &generator)
        #expect(view.batch.ids == encoder.batch(["An entirely different wording.", "no paraphrase here"], maxLength: 24).ids)
        #expect(throws: TrainingError.self) { try PositiveViews(.backTranslation) }
    }

    @Test func pairClassifierFineTuningLearnsASeparableTask() throws {
        // The label is told by the second sentence's word: learnable only through the pair encoding.
        let s = try MethodFixtures.sentences()
        let pairs = (0..<48).map { i in i % 2 == 0 ? LabelledPair(s[i], "certainly true", label: 1) : LabelledPair(s[i], "certainly false", label: 0) }
        var generator = RandomGenerator(seed: 2)
        let classifier = SentencePairClassifier(encoder: try MethodFixtures.encoder(), classes: 2, generator: &generator)
        #expect(classifier.namedParameters().contains { $0.name == "bert.embeddings.word_embeddings.weight" })
        #expect(classifier.namedParameters().contains { $0.name == "classifier.weight" })
        var training = PairClassificationTraining()
        training.epochs = 6
        training.batchSize = 8
        training.learningRate = 5e-4
        training.maxLength = 48
        let accuracies = training.run(classifier, train: pairs, evaluation: pairs)
        #expect(accuracies.last! > 0.9, "accuracy by epoch \(accuracies)")
    }
}
