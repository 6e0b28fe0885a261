import Foundation
import Models
import NeuralNetworks
import Objectives
import Tensors

/// CERT (Fang et al. 2020) as one resumable run of two stages: contrastive pre-training of the
/// encoder (``CERT`` through ``TextTraining``), then fine-tuning a sentence-pair classifier over
/// it on labelled pairs (SICK entailment), with BERT's GLUE recipe: pairs of at most 64 tokens,
/// AdamW with weight decay 0.01, linear decay after a warm-up of a tenth of the steps.
///
/// The classifier is saved beside the encoder as `classifier/`, a Hugging Face
/// `BertForSequenceClassification` folder. Under data parallelism each process fine-tunes on its
/// share of each batch.
public final class CERTTraining: TrainingMethod {
    public let pretraining: TextTraining
    public let classifier: SentencePairClassifier
    public let pairs: [LabelledPair]
    public let labels: [String]
    /// Tokens per sentence pair.
    public static let pairMaxLength = 64
    private var stage = 0

    public init(_ cert: CERT, configuration: TrainingSettings, examples: [TextExample], fineTuning pairs: [LabelledPair], labels: [String]) throws {
        pretraining = try TextTraining(cert, configuration: configuration, examples: examples)
        var generator = RandomGenerator(seed: configuration.seed &+ 7)
        classifier = SentencePairClassifier(encoder: cert.encoder, classes: labels.count, generator: &generator)
        self.pairs = pairs
        self.labels = labels
    }

    public var name: String { pretraining.name }
    public var unit: String { pretraining.unit }
    public var randomSource: RandomSource? { pretraining.randomSource }
    public var modules: [(prefix: String, module: Module)] { pretraining.modules + [("classifier", classifier.classifier)] }
    public var momentumModules: [(prefix: String, module: Module)] { pretraining.momentumModules }
    public var queues: [(name: String, queue: FeatureQueue)] { pretraining.queues }

    public func stages(processes: Int) throws -> [TrainingStage] {
        let c = pretraining.configuration, batch = c.fineTuningBatchSize * processes
        let steps = try TrainingStage.steps(examples: pairs.count, batchSize: batch, epochs: c.fineTuningEpochs, maxSteps: nil, what: "labelled pairs")
        var fineTune = TrainingStage(name: "fine-tune", steps: steps, examples: pairs.count, batchSize: batch, settings: c,
                                     orderSeed: c.seed ^ 0xF1_7E, stepSeed: c.seed ^ 0x7E57)
        (fineTune.learningRate, fineTune.weightDecay, fineTune.decay, fineTune.warmupSteps) = (c.fineTuningLearningRate, 0.01, .linear, steps / 10)
        return try pretraining.stages(processes: processes) + [fineTune]
    }

    /// The classifier's layer trains in the second stage only.
    public func begin(stage: Int) {
        self.stage = stage
        stage == 0 ? classifier.classifier.freeze() : classifier.classifier.unfreeze()
    }

    public func plan(stage: Int, batch: StepBatch, generator: inout RandomGenerator) -> StepPlan {
        guard stage == 1 else { return pretraining.plan(stage: stage, batch: batch, generator: &generator) }
        let chosen = batch.share.map { pairs[batch.indices[$0]] }
        return StepPlan(inputs: []) { _ in
            self.classifier.logits(chosen.map { ($0.first, $0.second) }, maxLength: Self.pairMaxLength).crossEntropy(targets: chosen.map(\.label))
        }
    }

    public func didStep(_ step: Int) { if stage == 0 { pretraining.didStep(step) } }

    public func setTraining(_ training: Bool) {
        pretraining.setTraining(training)
        classifier.train(training)
    }

    /// The encoder, and the classifier in `classifier/`.
    public func save(to folder: URL) throws {
        try pretraining.save(to: folder)
        try classifier.save(to: folder.appendingPathComponent("classifier"), labels: labels)
    }
}
