import Augmentation
import Foundation
@testable import Methods
import Models
import NeuralNetworks
import Tensors
import Testing
import TestSupport
import Text
import Vision

/// Gradient caching gives every method the loss and the parameter gradients of the whole batch,
/// dropout masks included: each chunk is embedded with the masks its rows have in the whole pass.
@Suite struct GradientCacheTests {
    /// The last step's loss and parameter gradients after `steps` planned and back-propagated
    /// steps of 12 examples (no optimizer step: weights stay; queues fill), with dropout on.
    /// With `negatives`, each supervised example has that many hard negatives (a mined n-tuple).
    func lastStep(_ method: any TextMethod, chunk: Int?, steps: Int = 1, supervised: Bool = false, negatives: Int? = nil) throws -> (loss: Float, gradients: [[Float]]) {
        let runner = StepRunner(source: method.encoder.model.source, gradientCacheChunk: chunk)
        let s = try MethodFixtures.sentences()
        var loss: Float = .nan
        for step in 0..<steps {
            try MethodFixtures.parameters(method).forEach { $0.tensor.zeroGrad() }
            let rows = (12 * step)..<(12 * step + 12)
            let batch = if let negatives {
                rows.map { i in TextExample(anchor: s[i], positive: s[i + 1], hardNegatives: (0..<negatives).map { s[(i + 20 + 7 * $0) % 64] }) }
            } else if supervised {
                rows.map { TextExample(anchor: s[$0], positive: s[$0 + 1], hardNegative: $0 % 2 == 0 ? s[40 + $0] : nil) }
            } else {
                rows.map { TextExample(anchor: s[$0]) }
            }
            var generator = RandomGenerator(seed: UInt64(step))
            let value = runner.loss(method.plan(batch, generator: &generator)).total
            #expect((chunk == nil) == value.requiresGrad, "gradient caching back-propagates itself")
            if value.requiresGrad { value.backward() }
            loss = value.item
        }
        return (loss, try MethodFixtures.parameters(method).map { $0.tensor.grad?.scalars ?? [] })
    }

    /// Same loss and gradients within `tolerance` relative (to the largest gradient of each tensor).
    func expectSame(_ a: (loss: Float, gradients: [[Float]]), _ b: (loss: Float, gradients: [[Float]]), tolerance: Float = 1e-5,
                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(a.loss - b.loss) <= tolerance * abs(b.loss), "loss \(a.loss) vs \(b.loss)", sourceLocation: sourceLocation)
        #expect(a.gradients.count == b.gradients.count && a.gradients.contains { !$0.isEmpty }, sourceLocation: sourceLocation)
        for (x, y) in zip(a.gradients, b.gradients) {
            let scale = max(y.map(abs).max() ?? 0, 1e-12)
            let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= tolerance * scale + 1e-9, "max difference \(worst) at scale \(scale)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [false, true])
    func simcseMatchesTheWholeBatch(supervised: Bool) throws {
        var c = MethodFixtures.configuration(steps: 1)
        c.pooling = .cls  // the training MLP joins the graph too
        let plain = try lastStep(SimCSE(encoder: try MethodFixtures.encoder(), configuration: c), chunk: nil, supervised: supervised)
        let cached = try lastStep(SimCSE(encoder: try MethodFixtures.encoder(), configuration: c), chunk: 5, supervised: supervised)
        expectSame(cached, plain)
        // Dropout really was on: the same batch with other masks gives another loss.
        let method = SimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        _ = method.encoder.model.source.nextStream()
        #expect(try lastStep(method, chunk: nil, supervised: supervised).loss != plain.loss)
    }

    /// Three hard negatives per anchor: 60 rows in chunks of 7, which cut across anchors,
    /// positives and negatives alike. Compared at 1e-4: with 60 rows and mean pooling the
    /// smallest gradients differ by up to 3e-5 of their tensor's largest (1.5e-5 with one
    /// negative per anchor), the rounding of other product shapes; one chunk of all 60 rows
    /// reproduces them exactly.
    @Test func simcseWithSeveralHardNegativesMatchesTheWholeBatch() throws {
        var c = MethodFixtures.configuration(steps: 1)
        c.hardNegativeWeight = 0.5
        let plain = try lastStep(SimCSE(encoder: try MethodFixtures.encoder(), configuration: c), chunk: nil, negatives: 3)
        let cached = try lastStep(SimCSE(encoder: try MethodFixtures.encoder(), configuration: c), chunk: 7, negatives: 3)
        expectSame(cached, plain, tolerance: 1e-4)
        let whole = try lastStep(SimCSE(encoder: try MethodFixtures.encoder(), configuration: c), chunk: 60, negatives: 3)
        expectSame(whole, plain, tolerance: 0)
    }

    /// Cutoff's masks on the word embeddings are cut into chunks with the rows.
    @Test func simcseWithCutoffViews() throws {
        let c = MethodFixtures.configuration(steps: 1)
        let views = try PositiveViews(AugmentationSpec(parsing: "cutoff-span:0.2"))
        let plain = try lastStep(SimCSE(encoder: try MethodFixtures.encoder(), configuration: c, views: views), chunk: nil)
        let cached = try lastStep(SimCSE(encoder: try MethodFixtures.encoder(), configuration: c, views: views), chunk: 5)
        expectSame(cached, plain)
    }

    /// The second step reads the queue the first filled with the momentum encoder's keys. Its
    /// gradients are compared at 1e-4: they come from parameters after one AdamW update, which
    /// divides by √v and so magnifies the first step's rounding differences in small gradients.
    @Test func esimcseMatchesTheWholeBatchQueueIncluded() throws {
        let c = MethodFixtures.configuration(steps: 2)
        let a = try ESimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        let b = try ESimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        expectSame(try lastStep(b, chunk: 5, steps: 2), try lastStep(a, chunk: nil, steps: 2), tolerance: 1e-4)
        #expect(a.momentum.queue.count == 24)
        #expect(MethodFixtures.maxDifference([("queue", a.momentum.queue.features)], [("queue", b.momentum.queue.features)]) <= 1e-5)
    }

    /// As ESimCSE: the second step's gradients at 1e-4.
    @Test func certMatchesTheWholeBatchQueueIncluded() throws {
        var c = TrainingSettings(method: "cert")
        c.queueSize = 24
        let views = try PositiveViews(AugmentationSpec(parsing: "deletion:0.2"))
        let a = CERT(encoder: try MethodFixtures.encoder(), configuration: c, views: views)
        let b = CERT(encoder: try MethodFixtures.encoder(), configuration: c, views: views)
        expectSame(try lastStep(b, chunk: 5, steps: 2), try lastStep(a, chunk: nil, steps: 2), tolerance: 1e-4)
        #expect(a.momentum.queue.count == 24)
        #expect(MethodFixtures.maxDifference([("queue", a.momentum.queue.features)], [("queue", b.momentum.queue.features)]) <= 1e-5)
    }
}

/// CLIP fine-tuning with attention dropout: the training hands the trainer CLIP's dropout
/// stream, so gradient caching replays each chunk with the masks of the whole pass.
@Suite struct CLIPFineTuningCacheTests {
    /// The reference CLIP with attention dropout 0.1 in both towers, its dropout stream seeded by `seed`.
    func clip(seed: UInt64) throws -> CLIPImageTextModel {
        let folder = try TestPaths.fixture("families/clip/config.json").deletingLastPathComponent()
        var c = try CLIPConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
        (c.text.attentionDropout, c.vision.attentionDropout) = (0.1, 0.1)
        var generator = RandomGenerator(seed: 0)
        let model = CLIPModel(c, source: RandomSource(seed: seed), generator: &generator)
        _ = try model.load(stateDict: SafeTensorsFile(path: folder.appendingPathComponent("model.safetensors").path).allTensors())
        return CLIPImageTextModel(model: model, tokenizer: try PipelineTokenizer(directory: folder), preprocessing: CLIPImagePreprocessing(imageSize: 32))
    }

    /// The loss and parameter gradients of one step over 8 captioned images.
    func step(chunk: Int?, seed: UInt64 = 1) throws -> (loss: Float, gradients: [[Float]]) {
        let data = ShapesDataset(split: .train, count: 8, size: 40, seed: 2).captioned()
        var settings = TrainingSettings(method: "align", fineTuning: true)
        settings.batchSize = 8
        let training = try ImageTextTraining(try clip(seed: seed), configuration: settings, data: data)
        training.setTraining(true)
        var generator = RandomGenerator(seed: 4)
        let plan = training.plan(stage: 0, batch: StepBatch(indices: Array(0..<8), shares: [0..<8], share: 0..<8, step: 0, steps: 1), generator: &generator)
        let loss = StepRunner(source: training.randomSource, gradientCacheChunk: chunk).loss(plan).total
        if loss.requiresGrad { loss.backward() }
        return (loss.item, training.trainableParameters.map { $0.tensor.grad?.scalars ?? [] })
    }

    @Test func cachedChunksMatchTheWholeBatch() throws {
        let plain = try step(chunk: nil), cached = try step(chunk: 3)
        // Against the largest gradient of all: the token embeddings' gradients are nearly zero
        // but for the few tokens the captions use.
        let scale = plain.gradients.joined().map(abs).max() ?? 0
        let worst = zip(cached.gradients, plain.gradients).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? .infinity
        #expect(cached.gradients.map(\.count) == plain.gradients.map(\.count) && scale > 0)
        #expect(abs(cached.loss - plain.loss) <= 1e-5 * plain.loss && worst <= 1e-5 * scale, "loss \(cached.loss) vs \(plain.loss), gradients \(worst) at \(scale)")
        // Dropout really was on: other masks give another loss.
        #expect(try step(chunk: nil, seed: 9).loss != plain.loss)
    }
}
