import Foundation
import Methods
import Models
import NeuralNetworks
import Objectives
import Tensors
import TestSupport
import Testing
import Vision

/// SimCLR and MoCo on tiny images: momentum, queue, saved model folders.
@Suite struct ImageMethodTests {
    static let shape = ResNetConfiguration(channels: 1, widths: [4, 8], blocks: [1, 1])

    static func images(_ n: Int, seed: UInt64) -> Tensor { Tensor.randn([n, 1, 8, 8], seed: seed) }

    /// An 8x8 grayscale image of a pattern that differs with `index`.
    static func image(_ index: Int) -> Image {
        var pixels: [Float] = []
        for p in 0..<64 { pixels.append(Float((p * (index + 2)) % 11) / 11) }
        return Image(channels: 1, height: 8, width: 8, pixels: pixels)
    }

    @Test func mocoKeyEncoderMovesByMomentumAndQueueHoldsTheLastKeys() {
        let moco = MoCo(shape: Self.shape, hiddenSize: 16, projectionSize: 8, temperature: 0.2, momentum: 0.9, queueSize: 6, seed: 1)
        let online = moco.encoder.namedParameters(), target = moco.keyEncoder.namedParameters()
        // The copy starts equal to the online encoder, buffers included.
        #expect(zip(online, target).allSatisfy { $0.tensor.scalars == $1.tensor.scalars })
        #expect(zip(moco.encoder.namedBuffers(), moco.keyEncoder.namedBuffers()).allSatisfy { $0.tensor.scalars == $1.tensor.scalars })

        let optimizer = SGD(groups: [ParameterGroup(parameters: moco.encoder.trainableParameters().map { ("encoder.\($0.name)", $0.tensor) } + moco.head.trainableParameters().map { ("head.\($0.name)", $0.tensor) })], learningRate: 0.5)
        var lastKeys: [Float] = []
        for step in 1...2 {
            let first = Self.images(4, seed: UInt64(10 * step)), second = Self.images(4, seed: UInt64(10 * step + 1))
            let before = target.map(\.tensor.scalars)
            optimizer.zeroGrad()
            let loss = moco.loss(first, second)
            #expect(loss.item.isFinite)
            // The keys just enqueued are the (normalised) key projections of the second view.
            lastKeys = moco.queue.features.scalars.suffix(4 * 8)
            loss.backward()
            optimizer.step()
            moco.afterStep(step)
            for (index, (o, t)) in zip(online, target).enumerated() {
                let expected = zip(before[index], o.tensor.scalars).map { 0.9 * $0 + 0.1 * $1 }
                #expect(zip(expected, t.tensor.scalars).allSatisfy { abs($0 - $1) < 1e-5 }, "\(t.name)")
            }
            #expect(moco.queue.count == min(4 * step, 6))
        }
        // The queue keeps only the newest 6 keys, oldest first: the last 4 are the second batch's.
        #expect(moco.queue.features.shape == [6, 8])
        #expect(Array(moco.queue.features.scalars.suffix(4 * 8)) == lastKeys)
        // Gradients never reach the key encoder.
        #expect(target.allSatisfy { $0.tensor.grad == nil && !$0.tensor.requiresGrad })
    }

    @Test func momentumModuleCopiesBuffersButAveragesOnlyParameters() {
        let online = BatchNorm(features: 3), target = BatchNorm(features: 3)
        online.runningMean.assign(Tensor([1, 2, 3]))
        online.weight!.assign(Tensor([2, 2, 2]))
        let copy = MomentumModule(online: online, target: target, momentum: 0.5)
        #expect(target.runningMean.scalars == [1, 2, 3])
        online.weight!.assign(Tensor([4, 4, 4]))
        online.runningMean.assign(Tensor([9, 9, 9]))
        copy.update(step: 1)
        #expect(target.weight!.scalars == [3, 3, 3])
        #expect(target.runningMean.scalars == [1, 2, 3])
    }

    @Test func simclrLossIsNTXentOfTheProjections() {
        let simclr = SimCLR(shape: Self.shape, hiddenSize: 16, projectionSize: 8, temperature: 0.5, seed: 2)
        let a = Self.images(4, seed: 1), b = Self.images(4, seed: 2)
        // One batch of both views (shared BatchNorm statistics), split back into the two views.
        let z = simclr.head(simclr.encoder(Tensor.concat([a, b], axis: 0)))
        let expected = NTXentLoss(temperature: .fixed(0.5))(z.slice(axis: 0, 0..<4), z.slice(axis: 0, 4..<8)).item
        #expect(abs(simclr.loss(a, b).item - expected) < 1e-5)
        // Per-view batches would normalise each view with its own statistics: a different loss.
        let separate = NTXentLoss(temperature: .fixed(0.5))(simclr.head(simclr.encoder(a)), simclr.head(simclr.encoder(b))).item
        #expect(abs(separate - expected) > 1e-4)
    }

    @Test func modelFolderRoundTripsAndRejectsBadFolders() throws {
        var generator = RandomGenerator(seed: 3)
        let encoder = ResNet(Self.shape, generator: &generator)
        let configuration = ImageModelConfiguration(resnet: Self.shape, method: "simclr", imageSize: 8, normalization: .fashionMNIST)
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("model")
        try ImageModel(configuration: configuration, encoder: encoder).save(to: folder)
        let loaded = try ImageModel(directory: folder)
        #expect(loaded.configuration == configuration)
        let images = (0..<3).map(Self.image)
        #expect(loaded.features(of: images).scalars == ImageModel(configuration: configuration, encoder: encoder).features(of: images).scalars)

        func expectRejected(_ directory: URL, mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(sourceLocation: sourceLocation) { try ImageModel(directory: directory) } throws: { error in
                let text = String(describing: error)
                return text.contains(directory.path) && text.contains(fragment) && !text.contains("\n")
            }
        }
        let empty = try TestPaths.temporaryDirectory()
        expectRejected(empty, mentioning: "config.json")
        let notJSON = try TestPaths.temporaryDirectory()
        try Data("{ not json".utf8).write(to: notJSON.appendingPathComponent("config.json"))
        expectRejected(notJSON, mentioning: "not an image model configuration")
        let text = try String(contentsOf: folder.appendingPathComponent("config.json"), encoding: .utf8)
        for (edit, fragment) in [("\"resnet\"", "\"vit\"", "unknown architecture"), ("\"cifar\"", "\"tiny\"", "unknown stem")].map({ (($0.0, $0.1), $0.2) }) {
            let bad = try TestPaths.temporaryDirectory()
            try text.replacingOccurrences(of: edit.0, with: edit.1).write(to: bad.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(at: folder.appendingPathComponent("model.safetensors"), to: bad.appendingPathComponent("model.safetensors"))
            expectRejected(bad, mentioning: fragment)
        }
        let noWeights = try TestPaths.temporaryDirectory()
        try FileManager.default.copyItem(at: folder.appendingPathComponent("config.json"), to: noWeights.appendingPathComponent("config.json"))
        expectRejected(noWeights, mentioning: "model.safetensors")
        // Weights of another shape.
        let wider = try TestPaths.temporaryDirectory()
        try text.replacingOccurrences(of: "4,", with: "5,").write(to: wider.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: folder.appendingPathComponent("model.safetensors"), to: wider.appendingPathComponent("model.safetensors"))
        expectRejected(wider, mentioning: "model.safetensors")
    }

    @Test func untrainedControlIsARandomEncoderWithBatchNormStatisticsOfTheImages() throws {
        let configuration = ImageModelConfiguration(resnet: Self.shape, method: "simclr", imageSize: 8, normalization: .fashionMNIST)
        let images = (0..<6).map(Self.image)
        let control = try ImageModel.untrained(like: configuration, calibratedOn: images, seed: 3, batches: 60, batchSize: 6)
        #expect(!control.encoder.isTraining && control.configuration == configuration)
        var generator = RandomGenerator(seed: 3)
        let fresh = ResNet(Self.shape, generator: &generator)
        #expect(control.encoder.conv1.weight.scalars == fresh.conv1.weight.scalars)
        // Every pass saw the same six images: the stem's running mean is their per-channel mean
        // after the stem convolution (0.9^60 of the initial 0 remains).
        let stem = withoutGradient { control.encoder.conv1(Tensor(images: images, normalization: .fashionMNIST)) }   // [6, 4, 8, 8]
        let mean = stem.mean(axis: 3).mean(axis: 2).mean(axis: 0).scalars
        #expect(zip(control.encoder.bn1.runningMean.scalars, mean).allSatisfy { abs($0 - $1) <= 0.01 * abs($1) + 1e-5 })
        #expect(fresh.bn1.runningMean.scalars.allSatisfy { $0 == 0 })
        #expect(control.features(of: images).shape == [6, 8])
    }

    @Test func trainerRunsStepsAndSavesALoadableModel() throws {
        var c = TrainingSettings(method: "simclr")
        c.batchSize = 4
        c.epochs = 5
        // Two batches per epoch: the third step starts a second epoch, and --max-steps stops it.
        c.maxSteps = 3
        c.hiddenSize = 16
        c.projectionSize = 8
        let images = (0..<10).map(Self.image)
        let method = SimCLR(shape: Self.shape, hiddenSize: 16, projectionSize: 8, temperature: 0.5, seed: 1)
        let run = try TestPaths.temporaryDirectory()
        let training = try ImageTraining(method, configuration: c, images: images, normalization: .estimated(from: images))
        let trainer = try Trainer(method: training, settings: c, output: run)
        #expect(trainer.totalSteps == 3)
        let summary = try trainer.train()
        #expect(summary.steps == 3 && summary.finalLoss.isFinite)
        let lines = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(try ImageModel(directory: run).configuration.method == "simclr")
        c.batchSize = 11
        #expect(throws: TrainingError.self) {
            try Trainer(method: ImageTraining(method, configuration: c, images: images, normalization: .fashionMNIST), settings: c, output: run)
        }
    }
}

extension ImageMethod {
    /// The loss of a single-process step over the two views.
    func loss(_ first: Tensor, _ second: Tensor) -> Tensor {
        StepRunner(source: nil).loss(plan(first, second, shares: [0..<first.shape[0]])).total
    }
}
