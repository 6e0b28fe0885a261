import NeuralNetworks
import Tensors

/// Linear evaluation of frozen features (the protocol of SimCLR, MoCo and CLIP): a softmax
/// regression trained on the training split's features, scored by accuracy on the test split.
///
/// Features are standardised with the training split's per-dimension mean and deviation, so one
/// learning rate fits raw pixels and learned embeddings alike, and the same code gives the
/// "linear probe on raw pixels" baseline a representation must beat.
///
/// ```swift
/// let probe = LinearProbe()
/// let result = probe.evaluate(train: (trainFeatures, trainLabels), test: (testFeatures, testLabels))
/// print(result.testAccuracy)
/// ```
public struct LinearProbe: Sendable {
    /// Passes over the training features (default 30).
    public var epochs: Int
    /// Examples per update (default 256).
    public var batchSize: Int
    /// Peak AdamW learning rate, decayed to 0 on a cosine (default 0.01).
    public var learningRate: Float
    /// AdamW weight decay on the weight matrix (default 1e-4).
    public var weightDecay: Float
    /// Seed of the order of the examples.
    public var seed: UInt64

    /// A probe with the given training settings.
    public init(epochs: Int = 30, batchSize: Int = 256, learningRate: Float = 0.01, weightDecay: Float = 1e-4, seed: UInt64 = 0) {
        ensure(epochs > 0 && batchSize > 0 && learningRate > 0 && weightDecay >= 0,
               "LinearProbe: invalid settings epochs \(epochs), batch \(batchSize), lr \(learningRate), decay \(weightDecay)")
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.seed = seed
    }

    /// Accuracy of the probe on both splits.
    public struct Result: Sendable, Equatable {
        /// Fraction of training examples classified correctly after the last epoch.
        public let trainAccuracy: Double
        /// Fraction of test examples classified correctly.
        public let testAccuracy: Double
    }

    /// Trains on `train` (`[n, d]` features and their class indices) and scores `test`.
    public func evaluate(train: (features: Tensor, labels: [Int]), test: (features: Tensor, labels: [Int])) -> Result {
        for (name, split) in [("train", train), ("test", test)] {
            ensure(split.features.rank == 2 && split.features.shape[0] == split.labels.count,
                   "LinearProbe: \(name) features of shape \(split.features.shape) for \(split.labels.count) labels")
            ensure(split.labels.allSatisfy { $0 >= 0 }, "LinearProbe: \(name) labels must be non-negative class indices")
        }
        ensure(train.features.shape[1] == test.features.shape[1],
               "LinearProbe: train features \(train.features.shape) and test features \(test.features.shape) differ in width")
        let classes = (train.labels + test.labels).max().map { $0 + 1 } ?? 1
        let standardise = Standardisation(train.features)
        let x = standardise(train.features), xTest = standardise(test.features)
        let n = x.shape[0], d = x.shape[1]

        let weight = Tensor.zeros([d, classes]).requiringGradient(), bias = Tensor.zeros([classes]).requiringGradient()
        let optimizer = AdamW(groups: [ParameterGroup(parameters: [("weight", weight)], weightDecay: weightDecay),
                                       ParameterGroup(parameters: [("bias", bias)])], learningRate: learningRate)
        let batchesPerEpoch = (n + batchSize - 1) / batchSize
        let schedule = CosineSchedule(peakLearningRate: learningRate, warmupSteps: 0, totalSteps: epochs * batchesPerEpoch)
        var generator = RandomGenerator(seed: seed)
        var step = 0
        for _ in 0..<epochs {
            let order = generator.shuffled(Array(0..<n))
            for start in stride(from: 0, to: n, by: batchSize) {
                let rows = Array(order[start..<min(start + batchSize, n)])
                optimizer.zeroGrad()
                let logits = x.indexSelect(axis: 0, rows).matmul(weight) + bias
                logits.crossEntropy(targets: rows.map { train.labels[$0] }).backward()
                optimizer.learningRate = schedule.learningRate(at: step)
                optimizer.step()
                step += 1
            }
        }
        func accuracy(_ features: Tensor, _ labels: [Int]) -> Double {
            let predicted = withoutGradient { features.matmul(weight) + bias }.argmaxRows()
            return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
        }
        return Result(trainAccuracy: accuracy(x, train.labels), testAccuracy: accuracy(xTest, test.labels))
    }
}

/// Per-dimension standardisation fitted on one split and applied to others.
struct Standardisation {
    let mean: Tensor
    let inverseDeviation: Tensor

    init(_ features: Tensor) {
        (mean, inverseDeviation) = withoutGradient {
            let mean = features.mean(axis: 0)
            let variance = ((features - mean) * (features - mean)).mean(axis: 0)
            // Constant dimensions (image borders) keep deviation 1 rather than dividing by 0.
            return (mean, Tensor(variance.scalars.map { $0 > 1e-12 ? 1 / $0.squareRoot() : 1 }, shape: variance.shape))
        }
    }

    func callAsFunction(_ features: Tensor) -> Tensor {
        withoutGradient { (features - mean) * inverseDeviation }
    }
}

extension Tensor {
    /// The index of the largest value of each row of a `[rows, n]` tensor (first on ties).
    func argmaxRows() -> [Int] {
        ensure(rank == 2 && shape[1] > 0, "argmaxRows: expected [rows, n] with n > 0, got \(shape)")
        let n = shape[1], values = scalars
        return (0..<shape[0]).map { r in
            var best = 0
            for j in 1..<n where values[r * n + j] > values[r * n + best] { best = j }
            return best
        }
    }
}
