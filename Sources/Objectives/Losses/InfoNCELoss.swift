import Tensors

/// InfoNCE (van den Oord et al. 2018): a cross-entropy that picks each query's positive key among
/// negatives, composed from a similarity, a temperature and a target distribution.
///
/// Logit columns are `[positive block | hard negatives | queue]`:
/// - the positive block is every key (`inBatchNegatives`, the other rows' keys are negatives:
///   SimCSE, CLIP, ESimCSE) or only the query's own key (MoCo, whose negatives all come from the queue);
/// - hard negatives (supervised SimCSE; several per query as sentence-transformers'
///   `MultipleNegativesRankingLoss` on n-tuples) are candidates of every query, and get
///   `hardNegativeLogWeight` added to the query's own hard-negative logits, after the temperature
///   (as SimCSE's `hard_negative_weight`);
/// - the queue holds extra negatives, always treated as constants.
///
/// Examples, one per objective:
/// ```swift
/// // Unsupervised SimCSE (one direction), τ = 0.05:
/// let simcse = InfoNCELoss(temperature: .fixed(0.05))
/// let l1 = simcse(queries: z1, keys: z2)
/// // Supervised SimCSE with entailment positives and contradiction hard negatives:
/// let sup = InfoNCELoss(temperature: .fixed(0.05), hardNegativeLogWeight: 0)
/// let l2 = sup(queries: z1, keys: z2, hardNegatives: z3)
/// // Mined n-tuples, m hard negatives per query (rows i·m ..< (i+1)·m of z3m are query i's):
/// let l2m = sup(queries: z1, keys: z2, hardNegatives: z3m)
/// // CLIP/ALIGN, symmetric, learnable logit scale clamped to ≤ 100:
/// let clip = InfoNCELoss(temperature: .learnableLogScale(logScale))
/// let l3 = clip.symmetric(imageEmbeddings, textEmbeddings)
/// // MoCo v2: own key as the only positive, queue of negatives (read before enqueueing keys):
/// let moco = InfoNCELoss(temperature: .fixed(0.2), inBatchNegatives: false)
/// let l4 = moco(queries: q, keys: k, queue: queue.features)
/// // ESimCSE: in-batch negatives plus a queue of momentum embeddings:
/// let l5 = simcse(queries: z1, keys: z2, queue: queue.features)
/// // Several positives per query, with label smoothing:
/// let l6 = InfoNCELoss(temperature: .fixed(0.1), labelSmoothing: 0.1)(queries: a, keys: b, targets: .sharedLabels(queries: ya, keys: yb))
/// // ALBEF image-to-text ITC with momentum distillation and a learnable temperature:
/// let albef = InfoNCELoss(temperature: .learnable(tau, range: 0.001...0.5))
/// let i2t = albef(queries: img, keys: txtM, queue: txtQueue.features, targets: .distilled(teacherQueries: imgM, weight: 0.4))
/// ```
public struct InfoNCELoss {
    /// How queries and keys are compared (any measure: distances are negated).
    public var similarity: any PairwiseMeasure
    /// How similarities become logits.
    public var temperature: Temperature
    /// Whether every key is a candidate for every query (`false`: only the query's own key, MoCo).
    public var inBatchNegatives: Bool
    /// A log-weight added to each query's own hard-negative logits (SimCSE's `hard_negative_weight`).
    public var hardNegativeLogWeight: Float
    /// Label smoothing `ε` applied to every target distribution.
    public var labelSmoothing: Float

    /// Creates the loss; the defaults are unsupervised SimCSE's.
    public init(similarity: any PairwiseMeasure = CosineSimilarity(), temperature: Temperature = .fixed(0.05),
                inBatchNegatives: Bool = true, hardNegativeLogWeight: Float = 0, labelSmoothing: Float = 0) {
        self.similarity = similarity
        self.temperature = temperature
        self.inBatchNegatives = inBatchNegatives
        self.hardNegativeLogWeight = hardNegativeLogWeight
        self.labelSmoothing = labelSmoothing
    }

    /// The mean loss of `queries` (`[N, d]`) against `keys` (`[M, d]`), optional `hardNegatives`
    /// (`[N·m, d]`, rows `i·m ..< (i+1)·m` are query `i`'s; `m` is 1 for triplets) and a `queue`
    /// of extra negatives (`[K, d]`, no gradient).
    public func callAsFunction(queries: Tensor, keys: Tensor, hardNegatives: Tensor? = nil, queue: Tensor? = nil,
                               targets: ContrastiveTargets = .matchingIndex) -> Tensor {
        let logits = self.logits(queries: queries, keys: keys, hardNegatives: hardNegatives, queue: queue)
        let n = queries.shape[0], m = keys.shape[0]
        switch targets {
        case .matchingIndex:
            checkOwnKeys(n: n, m: m)
            return ContrastiveCrossEntropy.hard(logits, targets: positiveColumns(n), smoothing: labelSmoothing)
        case .sharedLabels(let queryLabels, let keyLabels):
            ensure(inBatchNegatives && queryLabels.count == n && keyLabels.count == m,
                         "InfoNCELoss: shared labels need in-batch negatives and \(n) query and \(m) key labels, got \(queryLabels.count) and \(keyLabels.count)")
            return ContrastiveCrossEntropy.multiPositive(logits, smoothing: labelSmoothing) { i, j in
                j < m && keyLabels[j] == queryLabels[i]
            }
        case .distilled(let teacherQueries, let weight):
            ensure(teacherQueries.shape == queries.shape,
                         "InfoNCELoss: teacher queries \(teacherQueries.shape) must match queries \(queries.shape)")
            ensure(weight >= 0 && weight <= 1, "InfoNCELoss: distillation weight \(weight) is outside [0, 1]")
            checkOwnKeys(n: n, m: m)
            let distribution = withoutGradient {
                let teacher = self.logits(queries: teacherQueries, keys: keys, hardNegatives: hardNegatives, queue: queue).softmax()
                let oneHot = ContrastiveCrossEntropy.oneHot(positiveColumns(n), columns: logits.shape[1])
                return teacher * weight + oneHot * (1 - weight)
            }
            return ContrastiveCrossEntropy.soft(logits, targets: distribution, smoothing: labelSmoothing)
        case .distribution(let distribution):
            ensure(distribution.shape == logits.shape,
                         "InfoNCELoss: target distribution \(distribution.shape) must match logits \(logits.shape)")
            return ContrastiveCrossEntropy.soft(logits, targets: distribution, smoothing: labelSmoothing)
        }
    }

    /// CLIP/ALIGN's symmetric loss: the mean of the `a → b` and `b → a` cross-entropies over one
    /// `[N, N]` logit matrix (row `i` of `a` matches row `i` of `b`).
    public func symmetric(_ a: Tensor, _ b: Tensor) -> Tensor {
        ensure(inBatchNegatives, "InfoNCELoss.symmetric: needs in-batch negatives")
        ensure(a.rank == 2 && a.shape == b.shape, "InfoNCELoss.symmetric: embeddings must both be [N, d], got \(a.shape) and \(b.shape)")
        let logits = temperature.apply(to: similarity.pairwiseCloseness(a, b))
        let targets = Array(0..<a.shape[0])
        let forward = ContrastiveCrossEntropy.hard(logits, targets: targets, smoothing: labelSmoothing)
        let backward = ContrastiveCrossEntropy.hard(logits.transposed(), targets: targets, smoothing: labelSmoothing)
        return (forward + backward) * 0.5
    }

    /// The `[N, columns]` logits `[positive block | hard negatives | queue]` described above.
    public func logits(queries: Tensor, keys: Tensor, hardNegatives: Tensor? = nil, queue: Tensor? = nil) -> Tensor {
        let n = queries.shape[0]
        ensure(queries.rank == 2 && keys.rank == 2 && keys.shape[1] == queries.shape[1],
                     "InfoNCELoss: queries and keys must be [N, d] and [M, d], got \(queries.shape) and \(keys.shape)")
        ensure(inBatchNegatives || keys.shape[0] == n,
                     "InfoNCELoss: without in-batch negatives each query needs its own key, got queries \(queries.shape) and keys \(keys.shape)")
        if let hardNegatives {
            ensure(hardNegatives.rank == 2 && hardNegatives.shape[1] == queries.shape[1] && hardNegatives.shape[0] > 0 && hardNegatives.shape[0] % n == 0,
                         "InfoNCELoss: hard negatives \(hardNegatives.shape) must be m rows per query of \(queries.shape)")
        }
        if let queue {
            ensure(queue.rank == 2 && queue.shape[1] == queries.shape[1],
                         "InfoNCELoss: queue must be [K, \(queries.shape[1])], got \(queue.shape)")
        }
        // The queue holds past keys: constants whatever their history.
        let negatives = [hardNegatives, queue?.detached()].compactMap { $0 }
        let similarities: Tensor
        if inBatchNegatives {
            // One matrix product over every candidate column.
            let candidates = negatives.isEmpty ? keys : Tensor.concat([keys] + negatives, axis: 0)
            similarities = similarity.pairwiseCloseness(queries, candidates)
        } else {
            let own = similarity.pairedCloseness(queries, keys).reshaped([n, 1])
            similarities = negatives.isEmpty
                ? own
                : Tensor.concat([own, similarity.pairwiseCloseness(queries, Tensor.concat(negatives, axis: 0))], axis: 1)
        }
        let logits = temperature.apply(to: similarities)
        guard let hardNegatives, hardNegativeLogWeight != 0 else { return logits }
        let offset = inBatchNegatives ? keys.shape[0] : 1, m = hardNegatives.shape[0] / n
        let weight = hardNegativeLogWeight
        return logits + Tensor.constant(rows: n, columns: logits.shape[1]) { i, j in (offset + i * m)..<(offset + (i + 1) * m) ~= j ? weight : 0 }
    }

    private func checkOwnKeys(n: Int, m: Int) {
        ensure(m >= n, "InfoNCELoss: query i's positive is key i, but there are \(n) queries and only \(m) keys")
    }

    /// The column of each query's own key.
    private func positiveColumns(_ n: Int) -> [Int] {
        inBatchNegatives ? Array(0..<n) : [Int](repeating: 0, count: n)
    }
}
