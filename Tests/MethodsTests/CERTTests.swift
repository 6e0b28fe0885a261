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

    /// CERT's second stage: the label is told by the second sentence's word, learnable only
    /// through the pair encoding; the classifier is saved beside the encoder.
    @Test func fineTuningStageLearnsASeparableTask() throws {
        let s = try MethodFixtures.sentences()
        let pairs = (0..<48).map { i in i % 2 == 0 ? LabelledPair(s[i], "certainly true", label: 1) : LabelledPair(s[i], "certainly false", label: 0) }
        var c = MethodFixtures.configuration(steps: 2)
        // Measured: the loss stays at the 1:1 prior for about 30 steps, then falls to 0.1 within 10.
        (c.method, c.augmentation, c.fineTuningEpochs, c.fineTuningBatchSize, c.fineTuningLearningRate) = ("cert", "deletion", 8, 8, 1e-3)
        let cert = CERT(encoder: try MethodFixtures.encoder(), configuration: c, views: try PositiveViews(AugmentationSpec(parsing: "deletion")))
        let training = try CERTTraining(cert, configuration: c, examples: try MethodFixtures.examples(), fineTuning: pairs, labels: ["false", "true"])
        let run = MethodFixtures.temporaryRun()
        let trainer = try Trainer(method: training, settings: c, output: run)
        #expect(trainer.stages.map(\.steps) == [2, 48])
        try trainer.train()
        #expect(LabelledPair.accuracy(of: training.classifier, on: pairs, maxLength: CERTTraining.pairMaxLength) > 0.9)
        let config = try String(contentsOf: run.appendingPathComponent("classifier/config.json"), encoding: .utf8)
        #expect(config.contains("BertForSequenceClassification") && config.contains("\"1\" : \"true\""))
    }
}
